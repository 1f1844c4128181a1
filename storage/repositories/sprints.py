"""Queries for sprints (mixed into `Store`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from storage.models import ScopeChange, Sprint, SprintItem, TaskProgress
from storage.repositories.base import Repository


class SprintQueries(Repository):
    async def sprint(self, team_id: int, status: str) -> Sprint | None:
        """The team's sprint in this status (there is at most one planning and one active)."""
        return await self.session.scalar(
            select(Sprint)
            .where(Sprint.team_id == team_id, Sprint.status == status)
            .order_by(Sprint.number.desc())
            .limit(1)
        )

    async def sprint_by_id(self, sprint_id: int) -> Sprint | None:
        return await self.session.get(Sprint, sprint_id)

    async def sprint_in_team(self, sprint_id: int, team_id: int) -> Sprint | None:
        """The sprint with this id if it is the team's; None for another team's (or none)."""
        return await self._in_team(Sprint, sprint_id, team_id)

    async def sprint_numbered(self, team_id: int, number: int) -> Sprint | None:
        """The team's sprint with this number (`/sprint export csv 3`), whatever its status."""
        return await self.session.scalar(
            select(Sprint).where(Sprint.team_id == team_id, Sprint.number == number)
        )

    async def open_sprints(self, team_id: int) -> Sequence[Sprint]:
        """The team's sprints being planned or running, newest first."""
        result = await self.session.scalars(
            select(Sprint)
            .where(Sprint.team_id == team_id, Sprint.status.in_(("planning", "active")))
            .order_by(Sprint.number.desc())
        )
        return result.all()

    async def sprints(self, team_id: int, limit: int = 12) -> Sequence[Sprint]:
        """Newest first."""
        result = await self.session.scalars(
            select(Sprint)
            .where(Sprint.team_id == team_id)
            .order_by(Sprint.number.desc())
            .limit(limit)
        )
        return result.all()

    async def closed_sprints(self, team_id: int, limit: int) -> Sequence[Sprint]:
        result = await self.session.scalars(
            select(Sprint)
            .where(Sprint.team_id == team_id, Sprint.status == "closed")
            .order_by(Sprint.number.desc())
            .limit(limit)
        )
        return result.all()

    async def add_sprint(self, sprint: Sprint) -> Sprint:
        self.session.add(sprint)
        await self.session.flush()
        return sprint

    async def sprint_items(
        self, sprint: Sprint, *, include_removed: bool = False
    ) -> list[SprintItem]:
        query = select(SprintItem).where(SprintItem.sprint_id == sprint.id)
        if not include_removed:
            query = query.where(SprintItem.removed.is_(False))
        result = await self.session.scalars(query.order_by(SprintItem.position, SprintItem.id))
        return list(result.unique().all())

    async def add_sprint_item(self, sprint_item: SprintItem) -> SprintItem:
        self.session.add(sprint_item)
        await self.session.flush()
        await self.session.refresh(sprint_item, ["item", "tasks"])
        return sprint_item

    async def save_tasks(self, sprint_item: SprintItem) -> None:
        """Writes a sprint item's new tasks (the old ones go: delete-orphan); new tasks get
        their ids."""
        self.session.add(sprint_item)
        await self.session.flush()

    def add_progress(self, rows: Sequence[TaskProgress]) -> None:
        self.session.add_all(rows)

    async def task_progress(self, sprint: Sprint) -> Sequence[TaskProgress]:
        """The sprint's task hours left, change by change, oldest first."""
        result = await self.session.scalars(
            select(TaskProgress)
            .where(TaskProgress.sprint_id == sprint.id)
            .order_by(TaskProgress.at, TaskProgress.id)
        )
        return result.all()

    async def delete_sprint_item(self, sprint_item: SprintItem) -> None:
        await self.session.delete(sprint_item)
        await self.session.flush()

    def add_scope_change(self, change: ScopeChange) -> None:
        self.session.add(change)

    async def scope_changes(self, sprint: Sprint) -> Sequence[ScopeChange]:
        result = await self.session.scalars(
            select(ScopeChange).where(ScopeChange.sprint_id == sprint.id).order_by(ScopeChange.id)
        )
        return result.all()
