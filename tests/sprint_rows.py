"""A past sprint written straight to the store, for tests that need one closed already without
replaying its planning, its days and its review through Slack (calibration reads its done
items: tests/storage/test_calibration.py, tests/app/test_poker_calibrate.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage.models import BacklogItem, Sprint, SprintItem
from storage.repositories import Store


async def closed_sprint(
    store: Store, team_id: int, starts_on: date, ends_on: date, **columns: Any
) -> Sprint:
    """The team's sprint 1, closed, from `starts_on` to `ends_on` (`columns` as the test
    needs them: its goal, who committed, its points)."""
    return await store.add_sprint(
        Sprint(
            team_id=team_id,
            number=1,
            status="closed",
            starts_on=starts_on,
            ends_on=ends_on,
            **columns,
        )
    )


async def done_in(
    store: Store,
    sprint: Sprint,
    item: BacklogItem,
    position: int,
    added_at: datetime,
    done_at: datetime | None,
    **columns: Any,
) -> SprintItem:
    """`item` in `sprint` at `position`, for its goal, added at `added_at` and done at
    `done_at` (None: not done; `columns`: when its work began, say)."""
    return await store.add_sprint_item(
        SprintItem(
            sprint_id=sprint.id,
            item_id=item.id,
            position=position,
            supports_goal=True,
            removed=False,
            added_at=added_at,
            done_at=done_at,
            **columns,
        )
    )
