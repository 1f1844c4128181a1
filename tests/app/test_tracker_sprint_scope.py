# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The running sprint's scope changed in the tracker, alike for Jira, a GitHub project and
Linear, through the real app and each tracker's emulator: an issue moved into the tracker's
sprint (iteration, cycle) Timebox made for the running sprint joins it, one moved out of it
leaves it, each as a logged renegotiation whose reason names the tracker, as `/sprint add` and
`/sprint remove` would; a new issue made in that sprint is taken in and joins it. Timebox's
own renegotiations are not echoed back, and completing the sprint in Jira is no scope change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.domain.tracker_sync import tracker_name
from bot.emulator.stack import LocalStack
from storage.models import ScopeChange
from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import channel_posts
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, Tracker, board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of, sprint_card
from tests.app.test_tracker_sync import jira, running_sprint  # noqa: F401
from tests.app.trackers import WORKSPACE, item_by_key, later
from tests.conftest import CHANNEL, PO

MOVE: dict[str, Callable[[Any, str, str | None], object]] = {
    "jira": lambda jira, key, sprint: jira.edit(key, sprint=int(sprint) if sprint else None),
    "github": lambda github, key, sprint: github.edit(key, iteration=sprint),
    "linear": lambda linear, key, sprint: linear.edit(key, cycle=sprint),
}
"""A person moving an issue into a sprint of the tracker (by its id), or out of it (None)."""

ADD: dict[str, Callable[[Any, str], str]] = {
    "jira": lambda jira, title: jira.add_issue(title).key,
    "github": lambda github, title: github.add_issue(title).key,
    "linear": lambda linear, title: linear.add_issue(title).identifier,
}


async def committed(slack: LocalStack, tracker: Tracker, em: Any) -> tuple[list[str], int, str]:
    """The board seeded and connected, its first issue's item committed in a running sprint
    written to the tracker: the board's keys, the sprint's id and its id in the tracker."""
    keys = tracker.seed(em)
    await tracker.connect(slack, em)
    sprint_id = await running_sprint(slack, keys[:1])
    async with slack.db.transaction() as store:
        known = await store.sprint_link(sprint_id)
        assert known is not None, "the sprint was made in the tracker"
        return keys, sprint_id, known.remote_id


async def scope(slack: LocalStack, sprint_id: int) -> tuple[set[int], list[ScopeChange]]:
    """The numbers of the items the sprint holds, and its scope changes."""
    async with slack.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint_id)
        assert sprint is not None
        held = {si.item.number for si in await store.sprint_items(sprint)}
        return held, list(await store.scope_changes(sprint))


async def test_an_issue_moved_into_the_sprint_in_the_tracker_joins_it(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    keys, sprint_id, remote = await committed(slack, tracker, em)
    joining = keys[1]

    MOVE[kind](em, joining, remote)
    await later(slack, SYNC)

    item = await item_by_key(slack, joining)
    held, (change,) = await scope(slack, sprint_id)
    assert item.number in held and item.status == "sprint"
    assert (change.action, change.item_number, change.actor) == ("added", item.number, kind)
    assert change.reason == f"{joining} was added to Sprint 1 in {tracker_name(kind)}"
    assert item.title in await sprint_card(slack)
    told = shown(channel_posts(slack)[-1])
    assert told.startswith(f":arrows_counterclockwise: <@{PO}>: {change.reason}: *#{item.number}*")
    assert "joins sprint 1 here too, as a logged renegotiation" in told
    await later(slack, SYNC)
    assert len((await scope(slack, sprint_id))[1]) == 1, "taken in once"
    assert shown(channel_posts(slack)[-1]) == told, "and told once"


async def test_an_issue_moved_out_of_the_sprint_in_the_tracker_leaves_it(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    keys, sprint_id, _ = await committed(slack, tracker, em)
    leaving = keys[0]
    await later(slack, SYNC)  # the sync has seen it in the sprint

    MOVE[kind](em, leaving, None)
    await later(slack, SYNC)

    item = await item_by_key(slack, leaving)
    held, (change,) = await scope(slack, sprint_id)
    assert item.number not in held and item.status == "open", "back on the backlog"
    assert (change.action, change.item_number) == ("removed", item.number)
    assert change.reason == f"{leaving} was taken out of Sprint 1 in {tracker_name(kind)}"
    told = shown(channel_posts(slack)[-1])
    assert "leaves sprint 1 here too, back on the backlog, as a logged renegotiation" in told


async def test_an_issue_made_in_the_sprint_in_the_tracker_is_taken_in_and_joins_it(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    _, sprint_id, remote = await committed(slack, tracker, em)

    hotfix = ADD[kind](em, "Hotfix the login")
    MOVE[kind](em, hotfix, remote)
    await later(slack, SYNC)

    item = await item_by_key(slack, hotfix)
    held, (change,) = await scope(slack, sprint_id)
    assert item.title == "Hotfix the login" and item.number in held
    assert change.reason == f"{hotfix} was added to Sprint 1 in {tracker_name(kind)}"


MOVE_OUT_CALL = {
    "jira": "backlog.issues",
    "github": "graphql.clearProjectV2ItemFieldValue",
    "linear": "MoveIssues",
}
"""The call Timebox's sprint write moves an issue out of the tracker's sprint with."""


async def test_timeboxs_own_removal_is_not_taken_back_in_by_the_sync(slack, board):
    """The sync runs while Timebox's move out is still failing: the issue it sees in the
    sprint is where Timebox's write has yet to move it from, not a move into it."""
    tracker, em = board
    kind = kind_of(tracker)
    keys, sprint_id, _ = await committed(slack, tracker, em)
    number = (await item_by_key(slack, keys[0])).number
    await later(slack, SYNC)
    em.fail_next(503, route=MOVE_OUT_CALL[kind], times=20)

    await slack.driver.command(
        "/sprint", f"remove {number} the customer dropped it", user=PO, channel=CHANNEL
    )
    await later(slack, SYNC)
    await later(slack, SYNC)
    held, changes = await scope(slack, sprint_id)
    assert number not in held, "the sync did not take it back in"
    assert [(c.action, c.actor) for c in changes] == [("removed", PO)], "no echo from the sync"
    assert (await item_by_key(slack, keys[0])).tracker_link.pending > 0, "the write still fails"

    em.faults.clear()
    await later(slack, 3600)  # the move out lands, and the sync sees it out
    await later(slack, SYNC)
    assert (await item_by_key(slack, keys[0])).tracker_link.pending == 0
    assert len((await scope(slack, sprint_id))[1]) == 1, "nothing more came of it"


@pytest.mark.parametrize("board", ["jira"], indirect=True)
async def test_completing_the_sprint_in_jira_is_no_scope_change(slack, board):
    """Jira moves a completed sprint's open issues back to the backlog: Timebox's sprint is
    closed by its own close, which hands them back, not by renegotiations."""
    tracker, em = board
    keys, sprint_id, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)

    em.complete_sprint(int(remote))
    await later(slack, SYNC)

    held, changes = await scope(slack, sprint_id)
    assert (await item_by_key(slack, keys[0])).number in held and changes == []
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        assert (await store.sprint(team.id, "active")) is not None, "still running here"


@pytest.mark.parametrize("board", ["jira"], indirect=True)
async def test_an_issue_moved_to_a_future_sprint_in_jira_stays_there(slack, board):
    """Moved from the running sprint to the next one in Jira: it leaves Timebox's sprint, and
    no sprint write of Timebox's (that one, or a later scope change's) moves it back to the
    backlog."""
    tracker, em = board
    keys, sprint_id, _ = await committed(slack, tracker, em)
    await later(slack, SYNC)
    future = em.add_sprint("Sprint 2", state="future")

    em.edit(keys[0], sprint=future.id)
    await later(slack, SYNC)
    await slack.driver.command(
        "/sprint", "add 2 the customer escalated it", user=PO, channel=CHANNEL
    )
    await later(slack, SYNC)

    held, changes = await scope(slack, sprint_id)
    assert (await item_by_key(slack, keys[0])).number not in held
    assert [c.action for c in changes] == ["removed", "added"]
    assert em.issues[keys[0]].sprint == future.id, "still where Jira's user put it"
