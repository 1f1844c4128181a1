"""Queries for calibration (mixed into `Store`): the sprint items of a team's done items, with
the times their durations are counted from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select

from bot.domain.calibration import Record
from storage.models import BacklogItem, Sprint, SprintItem
from storage.repositories.base import Repository

RECORDS_MAX = 2000  # sprint items read at most (the newest): years of a team's sprints


class CalibrationQueries(Repository):
    async def done_records(self, team_id: int, *, estimate: float | None = None) -> list[Record]:
        """Every sprint item of the team's done, estimated items (not archived), newest
        first; `estimate`: of the items with that estimate only."""
        query = (
            select(
                BacklogItem.number,
                BacklogItem.title,
                BacklogItem.estimate,
                Sprint.starts_on,
                SprintItem.added_at,
                SprintItem.started_at,
                SprintItem.done_at,
            )
            .join(SprintItem, SprintItem.item_id == BacklogItem.id)
            .join(Sprint, Sprint.id == SprintItem.sprint_id)
            .where(
                BacklogItem.team_id == team_id,
                Sprint.team_id == team_id,
                BacklogItem.status == "done",
                BacklogItem.archived_at.is_(None),
                BacklogItem.estimate.is_not(None),
            )
            .order_by(SprintItem.id.desc())
            .limit(RECORDS_MAX)
        )
        if estimate is not None:
            query = query.where(BacklogItem.estimate == estimate)
        rows = await self.session.execute(query)
        return [Record(*row) for row in rows.all()]

    @asynccontextmanager
    async def calibration_attempt(self) -> AsyncIterator[None]:
        """A savepoint: what fails inside is undone alone, and the transaction goes on (a
        reveal never fails for want of its reference stories)."""
        async with self.session.begin_nested():
            yield
