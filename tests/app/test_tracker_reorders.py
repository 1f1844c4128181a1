# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The Product Owner's quick successive reorders, alike for Jira, a GitHub project and Linear,
through the real app and each tracker's emulator: every rank write lands next to a neighbour
already in its place in the tracker, so that once they are all written the tracker has
Timebox's order, and no sync meanwhile or after lays an older order of the board over it."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_work import RECONCILE
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, items, later
from tests.conftest import PO


async def linked_keys(slack: LocalStack) -> list[str | None]:
    """The backlog's issue keys, in Timebox's order."""
    return [i.tracker_link.key if i.tracker_link else None for i in await items(slack)]


async def moved_to_top(slack: LocalStack, *keys: str) -> None:
    """`/backlog move <n> top` for the items of `keys`, one after the other in the same
    second, before any write runs."""
    for key in keys:
        number = (await item_by_key(slack, key)).number
        await backlog(slack, f"move {number} top", user=PO)


async def test_two_quick_moves_reach_the_tracker_in_timeboxs_order(slack, board):
    tracker, em = board
    first, second, *rest = tracker.seed(em)
    await tracker.connect(slack, em)
    last = rest[-1]
    wanted = [second, last, first, *rest[:-1]]

    await moved_to_top(slack, last, second)
    assert await linked_keys(slack) == wanted
    await drain(slack)

    assert em.backlog_keys() == wanted, "the tracker's order is Timebox's"
    await later(slack, SYNC)
    await later(slack, RECONCILE)
    assert await linked_keys(slack) == wanted, "and stays Timebox's"
    assert em.backlog_keys() == wanted
    for key in wanted:
        moves = [e for e in await history(slack, await item_by_key(slack, key)) if e[1] == "moved"]
        assert all(who == PO for who, _, _ in moves), "no move of the tracker's"


RANK_CALLS = {
    "JiraEmulator": "issue.rank",
    "GitHubEmulator": "graphql.updateProjectV2ItemPosition",
    "LinearEmulator": "UpdateIssue",
}
"""The call that writes a rank, by emulator."""


async def test_the_boards_order_read_between_the_writes_keeps_timeboxs(slack, board):
    """The first move's write fails twice (the tracker is down), the second's lands; the
    hourly look at the board's order runs meanwhile: Timebox's order stands, and once the
    first write lands the tracker has it too."""
    tracker, em = board
    first, second, *rest = tracker.seed(em)
    await tracker.connect(slack, em)
    last = rest[-1]
    wanted = [second, last, first, *rest[:-1]]
    rank = RANK_CALLS[type(em).__name__]
    em.fail_next(503, route=rank)

    await moved_to_top(slack, last, second)
    await drain(slack)
    assert (await item_by_key(slack, last)).tracker_link.pending == 1, "its write failed"
    assert (await item_by_key(slack, second)).tracker_link.pending == 0
    em.fail_next(503, route=rank)
    await later(slack, RECONCILE)  # the board's order is read: the write fails again

    assert (await item_by_key(slack, last)).tracker_link.pending == 1
    assert await linked_keys(slack) == wanted, "Timebox's order stands while a write waits"
    await later(slack, SYNC)
    assert (await item_by_key(slack, last)).tracker_link.pending == 0
    assert em.backlog_keys() == wanted, "the tracker's order is Timebox's"
    await later(slack, RECONCILE)
    assert await linked_keys(slack) == wanted
