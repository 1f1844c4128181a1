# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An item that leaves the backlog in the tracker during a poll, through the real app and each
tracker's emulator: closed there (as done, or as not planned), its poll's board is shown again
after the sync that brings it, its cards gone, as when it leaves here (the poll's sync job asked
for in the sync's own transaction, not left to the poll's next vote or reminder)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_jira_reconcile import connected
from tests.app.test_poker_items_left_slack import card_blocks
from tests.app.test_poker_slack import board as poll_board
from tests.app.test_poker_slack import poker
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_not_planned import NOT_PLANNED
from tests.app.test_tracker_reopen import SYNC, Tracker, board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import SM


async def polled(slack: LocalStack, tracker: Tracker, em: Any) -> tuple[str, list[int], Any]:
    """A connected tracker's first two issues in an async poll: the first's key, their item
    numbers and the poll's board."""
    first, second, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    numbers = [(await item_by_key(slack, key)).number for key in (first, second)]
    await poker(slack, f"async {numbers[0]} {numbers[1]} for 24h", SM)
    return first, numbers, poll_board(slack)


@pytest.mark.parametrize("closed_as", ["done", "not planned"])
async def test_an_issue_closed_in_the_tracker_during_a_poll_redraws_its_board(
    slack, board, closed_as
):
    tracker, em = board
    first, numbers, poll = await polled(slack, tracker, em)
    assert card_blocks(poll) == [f"poker-{n}-cards-0" for n in numbers]

    if closed_as == "done":
        tracker.close(em, first)
    else:
        NOT_PLANNED[kind_of(tracker)](em, first)
    await later(slack, SYNC)

    redrawn = poll_board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == [f"poker-{numbers[1]}-cards-0"], "no cards for the one gone"
    left = "is done" if closed_as == "done" else "was archived"
    assert f"#{numbers[0]} {left}: this poll takes no more votes on it" in shown(redrawn)


async def test_an_issue_deleted_in_jira_during_a_poll_redraws_its_board(slack, jira):
    """A deletion the webhook names: the item is unlinked and archived by the probe, not the
    merge, and its poll is shown again all the same."""
    bug, story, *_ = seed_board(jira)
    await connected(slack, jira, hooks=True)
    numbers = [(await item_by_key(slack, key)).number for key in (bug, story)]
    await poker(slack, f"async {numbers[0]} {numbers[1]} for 24h", SM)
    poll = poll_board(slack)

    jira.delete(bug)
    await jira.deliver_webhooks()
    await drain(slack)
    await later(slack, 60)

    redrawn = poll_board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == [f"poker-{numbers[1]}-cards-0"], "no cards for the one gone"
    assert f"#{numbers[0]} was archived: this poll takes no more votes on it" in shown(redrawn)
