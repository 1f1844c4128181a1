"""Readiness reminders sent, one a team a day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from storage.models import (
    Reminder,
    Team,
)
from storage.repositories.base import Repository


class ReminderQueries(Repository):
    """Daily readiness reminders."""

    async def record_reminder(self, team: Team, day: date, now: datetime, unready: int) -> bool:
        """True the first time for this team and local day: the guard against doubles."""
        return await self._insert_ignoring_conflict(
            Reminder, {"team_id": team.id, "day": day, "sent_at": now, "unready": unready}
        )

    async def reminder_sent(self, team: Team, day: date) -> bool:
        """Whether the team's reminder of this local day was sent (recorded) already."""
        found = await self.session.scalar(
            select(Reminder.id).where(Reminder.team_id == team.id, Reminder.day == day)
        )
        return found is not None

    async def teams_with_reminders(self) -> Sequence[Team]:
        result = await self.session.scalars(select(Team).where(Team.remind_at.is_not(None)))
        return result.all()
