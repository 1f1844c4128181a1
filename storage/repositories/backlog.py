"""The product backlog: items, their order and their history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, update

from storage.models import (
    BacklogItem,
    ItemEvent,
)
from storage.repositories.base import Repository


def _active(team_id: int) -> ColumnElement[bool]:
    """Items on the product backlog: not archived, not done, not in a committed sprint."""
    return and_(
        BacklogItem.team_id == team_id,
        BacklogItem.archived_at.is_(None),
        BacklogItem.status.not_in(("done", "sprint")),
    )


class BacklogQueries(Repository):
    """Backlog items and their history."""

    async def item(self, team_id: int, number: int) -> BacklogItem | None:
        return await self.session.scalar(
            select(BacklogItem).where(BacklogItem.team_id == team_id, BacklogItem.number == number)
        )

    async def items_by_number(self, team_id: int, numbers: Sequence[int]) -> Sequence[BacklogItem]:
        result = await self.session.scalars(
            select(BacklogItem).where(
                BacklogItem.team_id == team_id, BacklogItem.number.in_(numbers)
            )
        )
        return result.all()

    async def add_item(self, item: BacklogItem) -> BacklogItem:
        self.session.add(item)
        await self.session.flush()
        return item

    async def count_active(self, team_id: int) -> int:
        return await self.session.scalar(select(func.count()).where(_active(team_id))) or 0

    async def active_page(self, team_id: int, offset: int, limit: int) -> Sequence[BacklogItem]:
        result = await self.session.scalars(
            select(BacklogItem)
            .where(_active(team_id))
            .order_by(BacklogItem.rank, BacklogItem.number)
            .offset(offset)
            .limit(limit)
        )
        return result.all()

    async def active_order(self, team_id: int) -> list[tuple[int, float]]:
        """(number, rank) of every item on the backlog, in backlog order."""
        result = await self.session.execute(
            select(BacklogItem.number, BacklogItem.rank)
            .where(_active(team_id))
            .order_by(BacklogItem.rank, BacklogItem.number)
        )
        return [(number, rank) for number, rank in result.all()]

    async def rank_bounds(self, team_id: int) -> tuple[float | None, float | None]:
        row = (
            await self.session.execute(
                select(func.min(BacklogItem.rank), func.max(BacklogItem.rank)).where(
                    BacklogItem.team_id == team_id
                )
            )
        ).one()
        return row[0], row[1]

    async def respace_ranks(self, team_id: int, order: Sequence[int]) -> None:
        """Rewrites ranks as 1, 2, 3... in the given order of item numbers."""
        for position, number in enumerate(order, start=1):
            await self.session.execute(
                update(BacklogItem)
                .where(BacklogItem.team_id == team_id, BacklogItem.number == number)
                .values(rank=float(position))
            )

    async def all_items(self, team_id: int, *, include_closed: bool) -> Sequence[BacklogItem]:
        query = select(BacklogItem).order_by(BacklogItem.rank, BacklogItem.number)
        query = query.where(BacklogItem.team_id == team_id if include_closed else _active(team_id))
        return (await self.session.scalars(query)).all()

    # -- history -----------------------------------------------------------------------------

    def log(self, item: BacklogItem, actor: str, action: str, at: datetime, **changes: Any) -> None:
        self.session.add(
            ItemEvent(item_id=item.id, actor=actor, action=action, at=at, changes=changes)
        )

    async def history(self, item: BacklogItem, limit: int = 20) -> Sequence[ItemEvent]:
        result = await self.session.scalars(
            select(ItemEvent)
            .where(ItemEvent.item_id == item.id)
            .order_by(ItemEvent.at.desc(), ItemEvent.id.desc())
            .limit(limit)
        )
        return result.all()
