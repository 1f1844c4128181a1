# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""What the sync takes in, and what it leaves, alike for Jira, a GitHub project and Linear,
through the real app and each tracker's emulator:

- an issue planned in a sprint (Jira), an iteration (GitHub) or a cycle (Linear) is the team's
  sprint work: the import leaves it out, and so does every sync after, until it is taken out
  of its sprint and back on the backlog (then the import would take it, and the sync does);
- a done item restored in Timebox stays open while the reopen of its issue waits to be written:
  a sync that sees the issue still done meanwhile does not close the item again;
- a Linear issue with sub-issues is their epic, as a Jira epic is: not a backlog row, and its
  sub-issues name it as their epic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.github import GitHubEmulator
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, TRACKERS, board, done_in_timebox  # noqa: F401
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import (
    WORKSPACE,
    backlog_text,
    drain,
    item_by_key,
    items,
    kept_board,
    later,
)
from tests.conftest import CHANNEL, PO

# -- planned in a sprint, a cycle or an iteration ----------------------------------------------


def planned_in_jira(jira: JiraEmulator, title: str) -> str:
    """An issue put in the board's active sprint (a person's sprint planning in Jira)."""
    sprint = next(iter(jira.sprints.values()), None) or jira.add_sprint("Sprint 7")
    key = jira.add_issue(title).key
    jira.edit(key, sprint=sprint.id)
    return key


def planned_in_github(github: GitHubEmulator, title: str) -> str:
    """An issue in the project's current iteration."""
    field = github._iteration_field()
    current = field.iterations[0] if field.iterations else None
    current = current or github.add_iteration("Sprint 7", github.today() - timedelta(days=2))
    return github.add_issue(title, iteration=current.id).key


def planned_in_linear(linear: LinearEmulator, title: str) -> str:
    """An issue in the team's current cycle."""
    now = linear.now()
    cycle = next(iter(linear.cycles.values()), None) or linear.add_cycle(
        now - timedelta(days=2), now + timedelta(days=12)
    )
    return linear.add_issue(title, cycle=cycle.id).identifier


@dataclass(frozen=True)
class Planning:
    """How a person plans an issue in a tracker's sprint (``plan(em, title)``: its key),
    takes it out again (``unplan``) and retitles it (``retitle``)."""

    plan: Callable[[Any, str], str]
    unplan: Callable[[Any, str], object]
    retitle: Callable[[Any, str, str], object]


PLANNING = {
    "jira": Planning(
        planned_in_jira,
        lambda jira, key: jira.edit(key, sprint=None),
        lambda jira, key, title: jira.edit(key, summary=title),
    ),
    "github": Planning(
        planned_in_github,
        lambda github, key: github.edit(key, iteration=None),
        lambda github, key, title: github.edit(key, title=title),
    ),
    "linear": Planning(
        planned_in_linear,
        lambda linear, key: linear.edit(key, cycle=None),
        lambda linear, key, title: linear.edit(key, title=title),
    ),
}


@pytest.fixture(params=list(TRACKERS))
def planning(request: pytest.FixtureRequest) -> tuple[str, Any]:
    """Each tracker in turn, its emulator running: its kind and the emulator."""
    return request.param, request.getfixturevalue(request.param)


async def test_an_issue_planned_in_a_sprint_stays_out_until_it_is_back_on_the_backlog(
    slack: LocalStack, planning: tuple[str, Any]
):
    kind, em = planning
    tracker, how = TRACKERS[kind], PLANNING[kind]
    tracker.seed(em)
    planned = how.plan(em, "Sprint work already planned")
    await tracker.connect(slack, em)
    assert "Sprint work already planned" not in await backlog_text(slack), "the import's"
    count = len(await items(slack))

    how.retitle(em, planned, "Sprint work, retitled")
    await later(slack, SYNC)

    assert "Sprint work, retitled" not in await backlog_text(slack), "nor the sync's"
    assert len(await items(slack)) == count

    how.unplan(em, planned)
    await later(slack, SYNC)

    assert "Sprint work, retitled" in await backlog_text(slack), "back on the backlog"
    assert (await item_by_key(slack, planned)).title == "Sprint work, retitled"


# -- a restore that sticks while its reopen waits ----------------------------------------------


async def test_a_restored_item_stays_open_while_the_reopen_of_its_issue_waits(
    slack: LocalStack, board: Any
):
    """Done in Timebox and in the tracker; restored; the reopen fails twice (the tracker
    is down) while a sync sees the issue still done: the item stays open, and once the
    reopen lands both sides are open."""
    tracker, em = board
    key, number = await done_in_timebox(slack, tracker, em)
    em.fail_next(503, route=tracker.move_call, times=2, after=tracker.ranks_first)

    await backlog(slack, f"restore {number}", user=PO)
    await drain(slack)
    assert tracker.is_done(em, key), "the reopen failed"
    await later(slack, SYNC)  # the sync sees the issue done; the reopen fails again

    assert tracker.is_done(em, key)
    item = await item_by_key(slack, key)
    assert item.status == "open", "the restore stuck while its reopen waits"
    assert item.tracker_link.pending == 1

    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert not tracker.is_done(em, key), "reopened in the tracker"
    assert item.status == "open" and item.tracker_link.pending == 0
    await later(slack, SYNC)
    assert (await item_by_key(slack, key)).status == "open"


async def test_a_restored_item_stays_open_when_its_done_issue_changes_meanwhile(
    slack: LocalStack, board: Any
):
    """The sync has seen the issue done; the item is restored; someone retitles the still
    done issue before the reopen lands: the title comes, the status stays Timebox's."""
    tracker, em = board
    key, number = await done_in_timebox(slack, tracker, em)
    await later(slack, SYNC)
    em.fail_next(503, route=tracker.move_call, times=2, after=tracker.ranks_first)
    kind = next(k for k, t in TRACKERS.items() if t is tracker)

    await backlog(slack, f"restore {number}", user=PO)
    await drain(slack)
    PLANNING[kind].retitle(em, key, "Retitled while done")
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.title == "Retitled while done" and item.status == "open"
    await later(slack, SYNC)
    assert not tracker.is_done(em, key) and (await item_by_key(slack, key)).status == "open"


# -- a Linear issue with sub-issues ------------------------------------------------------------


async def test_a_linear_parent_issue_is_its_sub_issues_epic_not_a_story(
    slack: LocalStack, linear: LinearEmulator
):
    parent = linear.add_issue("Checkout").identifier
    card = linear.add_issue("Pay by card", parent=parent).identifier
    wallet = linear.add_issue("Pay by wallet", parent=parent).identifier
    await TRACKERS["linear"].connect(slack, linear)

    assert [i.title for i in await items(slack)] == ["Pay by card", "Pay by wallet"]
    assert (await item_by_key(slack, card)).epic == parent
    assert (await item_by_key(slack, wallet)).epic == parent

    later_parent = linear.add_issue("Refunds").identifier
    linear.add_issue("Refund by card", parent=later_parent)
    await later(slack, SYNC)

    assert [i.title for i in await items(slack)] == [
        "Pay by card",
        "Pay by wallet",
        "Refund by card",
    ], "the sync takes in the sub-issue, not its parent"


async def test_a_connection_made_before_the_sprint_field_was_read_learns_it_once(
    slack: LocalStack, jira: JiraEmulator
) -> None:
    """A Jira connection kept from before Timebox read the Sprint field: its first sync asks
    Jira which field it is and keeps the answer with the connection, so no later sync asks."""
    tracker = TRACKERS["jira"]
    tracker.seed(jira)
    await tracker.connect(slack, jira)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        connection = await store.connection(team.id)
        assert connection is not None and "sprint_field" in connection.board
        connection.board = {k: v for k, v in connection.board.items() if k != "sprint_field"}
    jira.reset_calls()

    await later(slack, SYNC)
    await later(slack, SYNC)

    assert len(jira.calls_to("fields")) == 1, "asked once, by the first sync"
    assert (await kept_board(slack))["sprint_field"] == "customfield_10020"
