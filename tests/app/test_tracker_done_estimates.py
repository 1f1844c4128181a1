# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A poker round that ends after its item's issue was closed in the tracker, through the real
app and the Jira and GitHub emulators: the estimate is not accepted (a done item's points are
what its sprint completed; its result, redrawn once the sync finds it done, offers only Skip) and
nothing is written over the closed issue, whose points stand as it was closed with."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_poker_slack import board as poll
from tests.app.test_poker_slack import buttons, poker, replies, vote
from tests.app.test_tracker_reopen import SYNC, TRACKERS
from tests.app.test_tracker_slack import BOARDS, board  # noqa: F401
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM


async def test_an_estimate_accepted_after_the_issue_closed_is_not_written(slack, board):
    tracker, em = board
    kind = next(k for k, b in BOARDS.items() if b is tracker)
    first, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    closed_with = em.estimate_of(first)
    await slack.driver.command(
        "/timebox", f"roles dev <@{DEV1}|d> <@{DEV2}|d> <@{DEV3}|d>", user=PO, channel=CHANNEL
    )
    await poker(slack, str((await item_by_key(slack, first)).number))
    for dev in (DEV1, DEV2, DEV3):
        await vote(slack, dev, "8")
    TRACKERS[kind].close(em, first)
    await later(slack, SYNC)
    assert (await item_by_key(slack, first)).status == "done"
    em.reset_calls()

    [result] = replies(slack, poll(slack))  # redrawn once the sync found the item done
    assert "is done, so this poll estimates it no more" in shown(result), shown(result)
    assert buttons(result) == ["Skip"], "no estimate to accept"
    await slack.driver.click("Skip", user=SM, message=result)
    await drain(slack)
    assert (await item_by_key(slack, first)).estimate == closed_with, "Timebox's too"

    assert em.estimate_of(first) == closed_with, "the closed issue's points stand"
    assert em.calls_to(tracker.estimate_call) == []
    await later(slack, SYNC)
    assert em.estimate_of(first) == closed_with
    assert (await item_by_key(slack, first)).tracker_link.pending == 0
