"""Sprint records: selection with overrides, commitment, renegotiation, close into velocity."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.backlog import ItemFields
from bot.domain.burndown import remaining_by_day
from bot.domain.errors import NotAllowed, UserError
from bot.domain.sprints import parse_tasks, set_goal
from bot.usecases import sprints
from bot.usecases import team as teams

READY = dict(hypothesis="By doing it we expect value", acceptance_criteria=["works"])


async def _items(store, team, clock, *estimates):
    for n, estimate in enumerate(estimates, start=1):
        fields = ItemFields(title=f"Item {n}", estimate=estimate, **READY)
        await store.add_item(team, fields, "UPO", clock.now())


async def test_a_sprint_from_planning_to_close(store, team, clock):
    await teams.assign_role(store, team, "po", ["UPO"])
    await teams.assign_role(store, team, "sm", ["USM"])
    await _items(store, team, clock, 5, 8, 3, None)  # #4 is not estimated: not ready
    sprint = await sprints.upcoming(store, team, clock.now())
    assert (sprint.number, sprint.starts_on, sprint.ends_on) == (
        1,
        date(2026, 3, 2),
        date(2026, 3, 15),
    )
    proposal = await sprints.proposal(store, team, forecast=14)
    assert [i.number for i in proposal] == [1, 2], "ready items in order up to the forecast"
    with pytest.raises(UserError, match=r"Not ready: #4 \(not estimated\)"):
        await sprints.select(store, team, sprint, [1, 2, 4], {1}, {}, clock.now())
    await sprints.select(store, team, sprint, [1, 2, 4], {1}, {4: "tiny spike"}, clock.now())
    with pytest.raises(UserError, match="No sprint goal yet"):
        await sprints.commit(store, team, sprint, "UD1", ["UD1", "UD2"], clock.now())
    set_goal(sprint, "By the end we expect invoices in PDF", "PDF export")
    first = await sprints.commit(store, team, sprint, "UD1", ["UD1", "UD2"], clock.now())
    assert not first.recorded and first.waiting_for == ["UD2"]
    with pytest.raises(NotAllowed):
        await sprints.commit(store, team, sprint, "UPO", ["UD1", "UD2"], clock.now())
    done = await sprints.commit(store, team, sprint, "UD2", ["UD1", "UD2"], clock.now())
    assert done.recorded and sprint.status == "active" and sprint.committed_points == 13
    assert sprint.capacity["developers"] == ["UD1", "UD2"]
    assert await store.count_active(team.id) == 1, "committed items left the product backlog"

    with pytest.raises(UserError, match="say why"):
        await sprints.renegotiate(store, team, "add", 3, "  ", "UD1", clock.now())
    await sprints.renegotiate(store, team, "add", 3, "customer escalation", "UD1", clock.now())
    await sprints.renegotiate(store, team, "remove", 2, "blocked by legal", "UD1", clock.now())
    changes = await store.scope_changes(sprint)
    assert [(c.action, c.item_number, c.reason) for c in changes] == [
        ("added", 3, "customer escalation"),
        ("removed", 2, "blocked by legal"),
    ]
    clock.advance(timedelta(days=3))
    await sprints.finish_item(store, team, 1, "UD1", clock.now())
    closing = await sprints.close(store, team, "USM", clock.now(), "Yes: tickets went down")
    assert closing.completed == 5 and sprint.review_answer == "Yes: tickets went down"
    order = [n for n, _ in await store.active_order(team.id)]
    assert order[:2] == [4, 3] and 2 in order, "unfinished items back on top, in sprint order"
    assert closing.next_sprint.number == 2 and closing.next_sprint.status == "planning"
    assert await sprints.team_velocity(store, team) == 5


async def test_tasks_parse_hours_and_refuse_lines_without(store, team, clock):
    assert parse_tasks("Design DB query 2h\n- Write tests: 1.5 hours\n\nReview 30 h") == [
        ("Design DB query", 2.0),
        ("Write tests", 1.5),
        ("Review", 30.0),
    ]
    with pytest.raises(UserError, match="Not understood: “Design it”"):
        parse_tasks("Design it")


def test_burndown_counts_what_the_sprint_held_each_day_as_estimated_then():
    """Berlin's team: #1 done at 00:30 on Wednesday is Wednesday's (Tuesday 23:30 UTC); #2
    re-estimated from 8 to 5 on Wednesday, #3 renegotiated in on Wednesday, #4 out on
    Thursday: each day shows what was left of the sprint backlog as it stood."""
    from datetime import UTC, datetime

    from storage.models import BacklogItem, ItemEvent, ScopeChange, Sprint, SprintItem
    from tests.domain.factories import team

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 3, day, hour, minute, tzinfo=UTC)

    def held(number: int, estimate: float, added: datetime, done: datetime | None = None):
        item = BacklogItem(id=number, number=number, estimate=estimate)
        return SprintItem(item_id=number, item=item, added_at=added, done_at=done)

    committed = at(2, 9)
    sprint = Sprint(
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 6),
        committed_points=15,
        committed_at=committed,
    )
    planned = committed - timedelta(hours=1)
    items = [
        held(1, 5.0, planned, done=at(3, 23, 30)),
        held(2, 5.0, planned),
        held(3, 3.0, at(4, 9)),
        held(4, 2.0, planned),
    ]
    changes = [
        ScopeChange(action="removed", item_number=4, points=2.0, at=at(5, 10)),
        ScopeChange(action="added", item_number=3, points=3.0, at=at(4, 9)),
    ]
    history = [ItemEvent(item_id=2, at=at(4, 15), changes={"estimate": [8.0, 5.0]})]
    days = remaining_by_day(team(), sprint, items, changes, history, date(2026, 3, 5))
    assert days == [
        (date(2026, 3, 2), 15.0),
        (date(2026, 3, 3), 15.0),
        (date(2026, 3, 4), 10.0),
        (date(2026, 3, 5), 8.0),
    ]
