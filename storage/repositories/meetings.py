"""Queries for timeboxed meetings (mixed into `Store`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.models import ActionItem, BacklogItem, ItemEvent, Meeting
from storage.repositories.base import Repository


class MeetingQueries(Repository):
    async def open_meeting(self, team_id: int) -> Meeting | None:
        return await self.session.scalar(select(Meeting).where(Meeting.open_for == team_id))

    async def meeting(self, meeting_id: int, *, fresh: bool = False) -> Meeting | None:
        """`fresh` reads the row again even if this transaction has it (after taking a lock)."""
        if fresh:
            query = select(Meeting).where(Meeting.id == meeting_id)
            return await self.session.scalar(query.execution_options(populate_existing=True))
        return await self.session.get(Meeting, meeting_id)

    async def meeting_in_team(self, meeting_id: int, team_id: int) -> Meeting | None:
        """The meeting with this id if it is the team's; None for another team's (or none)."""
        return await self._in_team(Meeting, meeting_id, team_id)

    async def add_meeting(self, meeting: Meeting) -> bool:
        """False when the team already has an open meeting (the unique `open_for` says so)."""
        try:
            async with self.session.begin_nested():
                self.session.add(meeting)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def delete_meeting(self, meeting: Meeting) -> None:
        """A meeting that never started (nobody could see it)."""
        await self.session.delete(meeting)
        await self.session.flush()

    async def past_meetings(self, team_id: int, kind: str, limit: int = 10) -> Sequence[Meeting]:
        result = await self.session.scalars(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.kind == kind, Meeting.ended_at.is_not(None))
            .order_by(Meeting.started_at.desc())
            .limit(limit)
        )
        return result.all()

    async def ended_meetings_between(
        self, team_id: int, kind: str, start: datetime, end: datetime
    ) -> Sequence[Meeting]:
        """The team's ended meetings of this kind that started in [start, end)."""
        result = await self.session.scalars(
            select(Meeting)
            .where(
                Meeting.team_id == team_id,
                Meeting.kind == kind,
                Meeting.ended_at.is_not(None),
                Meeting.started_at >= start,
                Meeting.started_at < end,
            )
            .order_by(Meeting.started_at)
        )
        return result.all()

    async def add_action_item(self, item: ActionItem) -> None:
        self.session.add(item)
        await self.session.flush()

    async def action_items(self, meeting_id: int) -> Sequence[ActionItem]:
        result = await self.session.scalars(
            select(ActionItem).where(ActionItem.meeting_id == meeting_id).order_by(ActionItem.id)
        )
        return result.all()

    async def item_events_between(
        self, team_id: int, start: datetime, end: datetime
    ) -> Sequence[tuple[ItemEvent, BacklogItem]]:
        """What happened to a team's items during a meeting, oldest first."""
        result = await self.session.execute(
            select(ItemEvent, BacklogItem)
            .join(BacklogItem, BacklogItem.id == ItemEvent.item_id)
            .where(BacklogItem.team_id == team_id, ItemEvent.at >= start, ItemEvent.at <= end)
            .order_by(ItemEvent.at, ItemEvent.id)
        )
        return [(event, item) for event, item in result.all()]
