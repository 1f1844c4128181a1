# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""`/backlog restore` of a done item linked to an issue, through the real app, the Slack
emulator and each tracker's emulator: the issue is reopened (done's inverse, "done here is done
there"), once, through the same durable writes as done, and the sync does not close the item
again. Alike for Jira, a GitHub project and Linear, whether the item was done in Timebox or its
issue closed in the tracker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker as tracker_uc
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later, roles, webhook_of
from tests.conftest import CHANNEL, DEV1, PO

SYNC = 600  # seconds on: the regular sync (every few minutes) has run


def seed_linear(linear: LinearEmulator) -> list[str]:
    """Three open issues of team ENG, in its order."""
    return [linear.add_issue(t).identifier for t in ("Pay by card", "Refunds", "Receipts")]


async def linear_connected(slack: LocalStack, linear: LinearEmulator) -> tuple[str, str]:
    """Connects the channel to team ENG as its PO and imports it; (webhook path, secret)."""
    await roles(slack)
    answer = await connect_linear(slack, linear)
    assert "This channel is connected to Linear team *Engineering*" in answer, answer
    return await webhook_of(slack, "linear", answer)


async def linear_seeded(slack: LocalStack, linear: LinearEmulator) -> list[str]:
    """Team ENG's three issues (`seed_linear`), connected and imported: their keys."""
    keys = seed_linear(linear)
    await linear_connected(slack, linear)
    await drain(slack)
    return keys


@dataclass(frozen=True)
class Tracker:
    """A tracker as these tests need it: its board seeded and connected, whether an issue is
    done there, a person closing one there, and the call that moves an issue to done and back."""

    seed: Callable[[Any], list[str]]
    connect: Callable[[LocalStack, Any], Awaitable[tuple[str, str]]]
    is_done: Callable[[Any, str], bool]
    close: Callable[[Any, str], object]
    move_call: str

    @property
    def ranks_first(self) -> int:
        """How many calls of `move_call` a restore makes before its reopen: Linear's rank
        write (the item goes last) is an `UpdateIssue` too."""
        return 1 if self.move_call == "UpdateIssue" else 0

    def moves(self, em: Any) -> list[Any]:
        """The calls that moved an issue's status: Linear's `UpdateIssue` also ranks one (a
        restored item goes last), and one that only sets a ``sortOrder`` moves nothing."""
        calls = em.calls_to(self.move_call)
        return [c for c in calls if "sortOrder" not in getattr(c, "variables", {}).get("input", {})]


TRACKERS = {
    "jira": Tracker(
        seed_board,
        jira_connected,
        lambda jira, key: jira.issues[key].status == "Done",
        lambda jira, key: jira.edit(key, status="Done"),
        "issue.transition",
    ),
    "github": Tracker(
        seed,
        github_connected,
        lambda github, key: github.issue(key).state == "closed",
        lambda github, key: github.edit(key, state="closed", state_reason="completed"),
        "issues.update",
    ),
    "linear": Tracker(
        seed_linear,
        linear_connected,
        lambda linear, key: linear.state_of(key).type == "completed",
        lambda linear, key: linear.edit(key, state="Done"),
        "UpdateIssue",
    ),
}


@pytest.fixture(params=list(TRACKERS))
def board(request: pytest.FixtureRequest) -> tuple[Tracker, Any]:
    """Each tracker in turn, its emulator running (the ``jira``, ``github`` or ``linear``)."""
    return TRACKERS[request.param], request.getfixturevalue(request.param)


async def in_step(slack: LocalStack) -> bool:
    """`/timebox connect status` says the backlog and the tracker are in step."""
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    return "in step" in shown(last_ephemeral(slack, DEV1))


async def restored_and_reopened(slack: LocalStack, tracker: Tracker, em: Any, key: str) -> None:
    """`/backlog restore` of the done item of `key`: its issue is open again in the tracker by
    one write, the item open, and neither changes back with the next syncs."""
    number = (await item_by_key(slack, key)).number
    em.reset_calls()

    answer = shown(await backlog(slack, f"restore {number}"))
    await drain(slack)

    assert "*Status:* Open" in answer
    assert not tracker.is_done(em, key), "reopened in the tracker"
    assert len(tracker.moves(em)) == 1
    await later(slack, SYNC)
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert item.status == "open" and item.archived_at is None, "the sync did not close it again"
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None
    assert item.tracker_link.remote["status_category"] != "done"
    assert not tracker.is_done(em, key) and await in_step(slack)
    assert len(tracker.moves(em)) == 1, "the sync wrote nothing more"


async def done_in_timebox(slack: LocalStack, tracker: Tracker, em: Any) -> tuple[str, int]:
    """The board seeded and connected, and the item of its first issue done by `/backlog done`
    (its write run): the issue's key and the item's number."""
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    number = (await item_by_key(slack, key)).number
    await backlog(slack, f"done {number}", user=DEV1)
    await drain(slack)
    assert tracker.is_done(em, key), "done here is done there"
    return key, number


async def test_an_item_done_then_restored_reopens_its_issue_once(slack, board):
    tracker, em = board
    key, number = await done_in_timebox(slack, tracker, em)
    await later(slack, SYNC)
    assert (await item_by_key(slack, key)).status == "done"

    await restored_and_reopened(slack, tracker, em, key)

    # The write again (a repeat of its row, a replay): one look, no second move.
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        await tracker_uc.after_reopen(store, team, number, now)
    await drain(slack)
    assert len(tracker.moves(em)) == 1 and not tracker.is_done(em, key)
    assert (await item_by_key(slack, key)).tracker_link.pending == 0


async def test_an_issue_closed_in_the_tracker_then_restored_here_is_reopened(slack, board):
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    tracker.close(em, key)
    await later(slack, SYNC)
    assert (await item_by_key(slack, key)).status == "done", "done there is done here"

    await restored_and_reopened(slack, tracker, em, key)


async def test_an_item_restored_then_done_again_before_the_write_stays_done(slack, board):
    """The reopen reads the item when it runs: done again meanwhile, it sends nothing, and the
    done write that follows finds the issue done already."""
    tracker, em = board
    key, number = await done_in_timebox(slack, tracker, em)
    em.reset_calls()

    await backlog(slack, f"restore {number}", user=PO)
    await backlog(slack, f"done {number}", user=DEV1)
    await drain(slack)

    assert tracker.is_done(em, key) and tracker.moves(em) == []
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert item.status == "done" and item.tracker_link.pending == 0
