# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""`/backlog restore` says the item is back "at the bottom": alike for Jira, a GitHub project
and Linear, its issue is ranked last on the board too, so the next syncs keep it at the
bottom instead of laying the tracker's old rank over it (it was first there)."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_reorders import linked_keys
from tests.app.test_tracker_sprint_work import RECONCILE
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import PO


async def removed_then_restored(slack: LocalStack, key: str) -> str:
    """`/backlog remove` of the item of `key` (its issue closed as won't do, written), then
    `/backlog restore`, its writes run: the restore's answer."""
    number = (await item_by_key(slack, key)).number
    await backlog(slack, f"remove {number}", user=PO)
    await drain(slack)
    answer = shown(await backlog(slack, f"restore {number}", user=PO))
    await drain(slack)
    return answer


async def test_a_restored_item_is_ranked_last_in_the_tracker_too(slack, board):
    tracker, em = board
    tracker.seed(em)
    await tracker.connect(slack, em)
    first, *rest = em.backlog_keys()
    assert await linked_keys(slack) == [first, *rest]

    answer = await removed_then_restored(slack, first)

    assert "at the bottom" in answer, answer
    wanted = [*rest, first]
    assert await linked_keys(slack) == wanted
    assert em.backlog_keys() == wanted, "the tracker ranks it last too"
    await later(slack, SYNC)
    await later(slack, RECONCILE)
    assert await linked_keys(slack) == wanted, "no sync lays its old rank over it"
    assert (await item_by_key(slack, first)).tracker_link.pending == 0
