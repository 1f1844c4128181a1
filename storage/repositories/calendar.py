"""A team's calendar: its recurring ceremonies and its calendar settings (mixed into `Store`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from storage.models import Ceremony, Team, TeamCalendar
from storage.repositories.base import Repository


class CalendarQueries(Repository):
    """Ceremonies and team calendars."""

    async def ceremonies(self, team_id: int) -> Sequence[Ceremony]:
        result = await self.session.scalars(
            select(Ceremony).where(Ceremony.team_id == team_id).order_by(Ceremony.kind)
        )
        return result.all()

    async def ceremony(self, team_id: int, kind: str) -> Ceremony | None:
        return await self.session.scalar(
            select(Ceremony).where(Ceremony.team_id == team_id, Ceremony.kind == kind)
        )

    async def ceremony_in_team(self, ceremony_id: int, team_id: int) -> Ceremony | None:
        """The ceremony with this id if it is the team's; None for another team's (or none)."""
        return await self._in_team(Ceremony, ceremony_id, team_id)

    async def add_ceremony(self, ceremony: Ceremony) -> Ceremony:
        self.session.add(ceremony)
        await self.session.flush()
        return ceremony

    async def remove_ceremony(self, ceremony: Ceremony) -> None:
        await self.session.execute(delete(Ceremony).where(Ceremony.id == ceremony.id))

    async def scheduled_ceremonies(self) -> Sequence[tuple[Team, Ceremony]]:
        """Every team's ceremonies, with their team: what the start-up plans again."""
        result = await self.session.execute(
            select(Team, Ceremony).join(Ceremony, Ceremony.team_id == Team.id).order_by(Ceremony.id)
        )
        return [(team, ceremony) for team, ceremony in result.all()]

    async def team_calendar(self, team_id: int) -> TeamCalendar | None:
        return await self.session.scalar(
            select(TeamCalendar).where(TeamCalendar.team_id == team_id)
        )

    async def ensure_team_calendar(self, team_id: int) -> TeamCalendar:
        """The team's calendar settings, made with the defaults on first use."""
        await self._insert_ignoring_conflict(TeamCalendar, {"team_id": team_id, "lead_minutes": 15})
        found = await self.team_calendar(team_id)
        assert found is not None
        return found

    async def calendar_by_feed(self, feed_hash: str) -> TeamCalendar | None:
        """The team calendar whose feed secret hashes to `feed_hash`."""
        return await self.session.scalar(
            select(TeamCalendar).where(TeamCalendar.feed_hash == feed_hash)
        )
