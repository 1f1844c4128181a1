# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue closed as not planned (won't do) in the tracker, alike for Jira (a "Won't Do"
resolution), a GitHub project (closed as not planned) and Linear (a canceled state), through
the real app and each tracker's emulator: nothing was delivered, so its item leaves the
backlog archived, not done, with a history line that says why; one of the running sprint
leaves the sprint first as a scope change (no points in the velocity). Reopened in the
tracker, the item is back on the backlog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain import tracker_sync as rules
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board, restored_and_reopened  # noqa: F401
from tests.app.test_tracker_sprint_work import (
    REOPEN,
    closed_sprint,
    in_a_running_sprint,
    kind_of,
    sprint_card,
)
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import backlog_text, item_by_key, later

NOT_PLANNED: dict[str, Callable[[Any, str], object]] = {
    "jira": lambda jira, key: jira.edit(key, status="Done", resolution="Won't Do"),
    "github": lambda github, key: github.edit(key, state="closed", state_reason="not_planned"),
    "linear": lambda linear, key: linear.edit(key, state="Canceled"),
}
STILL_NOT_PLANNED: dict[str, Callable[[Any, str], bool]] = {
    "jira": lambda jira, key: jira.issues[key].resolution == "Won't Do",
    "github": lambda github, key: github.issue(key).state_reason == "not_planned",
    "linear": lambda linear, key: linear.state_of(key).type == "canceled",
}


async def test_an_issue_closed_as_not_planned_archives_its_item_not_done(slack, board):
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    title = (await item_by_key(slack, key)).title

    NOT_PLANNED[kind_of(tracker)](em, key)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.archived_at is not None and item.status != "done", "left, not delivered"
    assert title not in await backlog_text(slack)
    *_, (who, action, changes) = await history(slack, item)
    assert (who, action) == (kind_of(tracker), "archived")
    closed_as = rules.CLOSED_AS[kind_of(tracker)]  # in the tracker's words (Jira: won't do)
    assert f"{key} was closed as {closed_as} in" in changes["note"]
    assert f"`/backlog restore {item.number}` brings it back" in changes["note"]
    assert item.tracker_link.pending == 0, "nothing written back"
    assert STILL_NOT_PLANNED[kind_of(tracker)](em, key)

    REOPEN[kind_of(tracker)](em, key)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.archived_at is None and item.status == "open", "back on the backlog"
    assert title in await backlog_text(slack)


async def test_a_sprint_item_closed_as_not_planned_leaves_the_sprint_uncounted(slack, board):
    tracker, em = board
    key, sprint_id = await in_a_running_sprint(slack, tracker, em)

    NOT_PLANNED[kind_of(tracker)](em, key)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.archived_at is not None and item.status != "done"
    assert "0 of 0 points done" in (card := await sprint_card(slack))
    assert "1 scope change" in card
    actions = [(who, action) for who, action, _ in await history(slack, item)]
    assert actions[-2:] == [(kind_of(tracker), "sprint remove"), (kind_of(tracker), "archived")]
    assert await closed_sprint(slack, sprint_id) == 0.0, "no velocity from it"
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert item.archived_at is not None and item.status != "done"
    assert STILL_NOT_PLANNED[kind_of(tracker)](em, key), "Timebox wrote nothing over it"


async def test_restoring_an_item_closed_as_not_planned_reopens_its_issue(slack, board):
    """The PO takes the dropped work up again: the issue is open in the tracker too, so both
    backlogs hold it (and the next syncs leave the item open)."""
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    NOT_PLANNED[kind_of(tracker)](em, key)
    await later(slack, SYNC)
    assert (await item_by_key(slack, key)).archived_at is not None

    await restored_and_reopened(slack, tracker, em, key)
    assert not STILL_NOT_PLANNED[kind_of(tracker)](em, key)
