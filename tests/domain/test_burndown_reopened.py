"""The burndown keeps each day as it was: an item done on Monday and reopened on Tuesday
counts as done on Monday's point and as left again from Tuesday on, whatever its record says
now; one whose status changes fall outside the history read counts by its record."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.burndown import remaining_by_day
from storage.models import BacklogItem, ItemEvent, Sprint, SprintItem
from tests.domain.factories import team


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def held(number: int, estimate: float, done: datetime | None = None) -> SprintItem:
    item = BacklogItem(id=number, number=number, estimate=estimate)
    return SprintItem(item_id=number, item=item, added_at=at(2, 8), done_at=done)


SPRINT = Sprint(
    starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), committed_points=8, committed_at=at(2, 9)
)


def moves(*when: tuple[int, int]) -> list[ItemEvent]:
    """#1 done, reopened, done again...: one status change at each (day, hour)."""
    steps = [("sprint", "done"), ("done", "sprint")] * len(when)
    return [
        ItemEvent(item_id=1, at=at(day, hour), changes={"status": list(step)})
        for (day, hour), step in zip(when, steps, strict=False)
    ]


def test_an_item_reopened_stays_done_on_the_days_it_was_done():
    items = [held(1, 5.0), held(2, 3.0)]  # #1 reopened: its record is not done any more
    history = moves((2, 11), (3, 10))
    days = remaining_by_day(team(), SPRINT, items, [], history, date(2026, 3, 4))
    assert days == [(date(2026, 3, 2), 3.0), (date(2026, 3, 3), 8.0), (date(2026, 3, 4), 8.0)]


def test_an_item_done_again_after_reopening_is_done_from_that_day():
    items = [held(1, 5.0, done=at(4, 12)), held(2, 3.0)]
    history = moves((2, 11), (3, 10), (4, 12))
    days = remaining_by_day(team(), SPRINT, items, [], history, date(2026, 3, 4))
    assert days == [(date(2026, 3, 2), 3.0), (date(2026, 3, 3), 8.0), (date(2026, 3, 4), 3.0)]


def test_without_status_changes_read_the_record_decides():
    items = [held(1, 5.0, done=at(3, 12)), held(2, 3.0)]
    days = remaining_by_day(team(), SPRINT, items, [], [], date(2026, 3, 4))
    assert days == [(date(2026, 3, 2), 8.0), (date(2026, 3, 3), 3.0), (date(2026, 3, 4), 3.0)]
