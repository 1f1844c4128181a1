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

    async def record_reminder(
        self, team: Team, day: date, due_at: datetime, now: datetime, unready: int
    ) -> None:
        """Keeps the team's reminder of this local day, under the team's lock (the run's). A
        record of the same date may be there from before the team's time zone changed, of an
        earlier day here (Tuesday in Tokyo is Monday in Los Angeles): this one replaces it."""
        found = await self.session.scalar(
            select(Reminder).where(Reminder.team_id == team.id, Reminder.day == day)
        )
        if found is None:
            found = Reminder(team_id=team.id, day=day)
            self.session.add(found)
        found.due_at, found.sent_at, found.unready = due_at, now, unready

    async def last_reminder(self, team: Team) -> Reminder | None:
        """The team's reminder sent last, which says whether today's was sent already."""
        return await self.session.scalar(
            select(Reminder)
            .where(Reminder.team_id == team.id)
            .order_by(Reminder.sent_at.desc())
            .limit(1)
        )

    async def teams_with_reminders(self) -> Sequence[Team]:
        result = await self.session.scalars(select(Team).where(Team.remind_at.is_not(None)))
        return result.all()
