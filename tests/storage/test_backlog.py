"""The product backlog domain: numbering, ordering, history, archive and done."""

from __future__ import annotations

import pytest

from bot.domain import backlog
from bot.domain.backlog import ItemFields, Move
from bot.domain.errors import UserError
from bot.runtime.clock import ManualClock
from storage.models import Team
from storage.repositories import Store


async def _add(store: Store, team: Team, clock: ManualClock, *titles: str) -> list[int]:
    numbers = []
    for title in titles:
        item = await store.add_item(team, ItemFields(title=title), "U1", clock.now())
        numbers.append(item.number)
    return numbers


async def _order(store: Store, team: Team) -> list[int]:
    return [number for number, _ in await store.active_order(team.id)]


async def test_items_get_stable_numbers_and_land_at_the_bottom_as_new(store, team, clock):
    assert await _add(store, team, clock, "A", "B", "C") == [1, 2, 3]
    assert await _order(store, team) == [1, 2, 3]
    item = await store.get_item(team, 2)
    assert (item.title, item.status, item.created_by) == ("B", "new", "U1")


async def test_title_is_trimmed_and_required(store, team, clock):
    item = await store.add_item(team, ItemFields(title="  Fix   login  "), "U1", clock.now())
    assert item.title == "Fix login"
    with pytest.raises(UserError, match="needs a title"):
        await store.add_item(team, ItemFields(title="   "), "U1", clock.now())


@pytest.mark.parametrize(
    ("move", "expected"),
    [
        (Move("top"), [3, 1, 2, 4]),
        (Move("bottom"), [1, 2, 4, 3]),
        (Move("up"), [1, 3, 2, 4]),
        (Move("down"), [1, 2, 4, 3]),
        (Move("position", 2), [1, 3, 2, 4]),
        (Move("position", 99), [1, 2, 4, 3]),
        (Move("before", 1), [3, 1, 2, 4]),
        (Move("before", 4), [1, 2, 3, 4]),
    ],
)
async def test_move_puts_the_item_where_asked(store, team, clock, move, expected):
    await _add(store, team, clock, "A", "B", "C", "D")
    await store.move_item(team, 3, move, "U1", clock.now())
    assert await _order(store, team) == expected


async def test_move_reports_positions_and_logs_history(store, team, clock):
    await _add(store, team, clock, "A", "B", "C")
    assert await store.move_item(team, 3, Move("top"), "UPO", clock.now()) == (3, 1)
    events = await store.history(await store.get_item(team, 3))
    assert (events[0].action, events[0].actor, events[0].changes) == (
        "moved",
        "UPO",
        {"position": [3, 1]},
    )


async def test_repeated_moves_into_the_same_gap_respace_without_losing_order(store, team, clock):
    """Fractional ranks run out of room after ~50 halvings; the backlog is respaced then."""
    await _add(store, team, clock, *[f"item {n}" for n in range(1, 5)])
    for _ in range(80):
        # Alternate the two middle items into the slot after #1: the gap halves each time.
        order = await _order(store, team)
        await store.move_item(team, order[-1], Move("position", 2), "U1", clock.now())
    order = await _order(store, team)
    assert order[0] == 1 and sorted(order) == [1, 2, 3, 4]
    ranks = [rank for _, rank in await store.active_order(team.id)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 4


async def test_moves_that_make_no_sense_are_refused(store, team, clock):
    await _add(store, team, clock, "A", "B")
    with pytest.raises(UserError, match="no item #9"):
        await store.move_item(team, 9, Move("top"), "U1", clock.now())
    with pytest.raises(UserError, match="Positions start at 1"):
        await store.move_item(team, 1, Move("position", 0), "U1", clock.now())
    with pytest.raises(UserError, match="#1 cannot be moved before itself"):
        await store.move_item(team, 1, Move("before", 1), "U1", clock.now())
    await store.archive_item(team, 2, "U1", clock.now())
    with pytest.raises(UserError, match="archived"):
        await store.move_item(team, 2, Move("top"), "U1", clock.now())


async def test_archive_restore_and_done(store, team, clock):
    await _add(store, team, clock, "A", "B", "C")
    await store.archive_item(team, 1, "U1", clock.now())
    await store.mark_done(team, 2, "U1", clock.now())
    assert await _order(store, team) == [3]
    assert await store.count_active(team.id) == 1
    with pytest.raises(UserError, match="archived already"):
        await store.archive_item(team, 1, "U1", clock.now())
    restored = await store.restore_item(team, 1, "U1", clock.now())
    reopened = await store.restore_item(team, 2, "U1", clock.now())
    assert restored.archived_at is None and reopened.status == "open"
    assert await _order(store, team) == [3, 1, 2]
    with pytest.raises(UserError, match="nothing to restore"):
        await store.restore_item(team, 3, "U1", clock.now())


async def test_edit_changes_only_what_differs_and_logs_old_and_new(store, team, clock):
    await _add(store, team, clock, "A")
    changes = await store.edit_item(
        team, 1, {"title": "A", "estimate": 5.0, "owner": "U2"}, "U3", clock.now()
    )
    assert changes == {"estimate": [None, 5.0], "owner": [None, "U2"]}
    latest = (await store.history(await store.get_item(team, 1)))[0]
    assert (latest.action, latest.actor, latest.changes["estimate"]) == (
        "edited",
        "U3",
        [None, 5.0],
    )
    assert await store.edit_item(team, 1, {"estimate": 5.0}, "U3", clock.now()) == {}


async def test_pages_hold_twenty_items_in_backlog_order(store, team, clock):
    await _add(store, team, clock, *[f"item {n}" for n in range(45)])
    first, last = await store.backlog_page(team, 1), await store.backlog_page(team, 9)
    assert (first.count, first.total, len(first.items)) == (3, 45, 20)
    assert (last.number, len(last.items), last.first_position) == (3, 5, 41)
    assert [i.number for i in first.items][:3] == [1, 2, 3]


def test_field_parsers():
    assert backlog.parse_estimate("0,5") == 0.5
    assert backlog.parse_estimate("") is None
    with pytest.raises(UserError, match="not a number"):
        backlog.parse_estimate("five")
    with pytest.raises(UserError, match="between 0"):
        backlog.parse_estimate("-3")
    assert backlog.parse_type("Tech debt") == "tech_debt"
    assert backlog.parse_lines("- one\n\n* two\n3. three") == ["one", "two", "three"]
    assert backlog.parse_dependencies("[x] #14 API\n[ ] UX design\nlegal review") == [
        {"text": "#14 API", "resolved": True},
        {"text": "UX design", "resolved": False},
        {"text": "legal review", "resolved": False},
    ]
    deps = [{"text": "API", "resolved": True}, {"text": "UX", "resolved": False}]
    assert backlog.parse_dependencies(backlog.format_dependencies(deps)) == deps
