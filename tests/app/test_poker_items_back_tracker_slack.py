# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An item closed in the tracker during a poll, then reopened there, through the real app and
each tracker's emulator: its poll's board offers its cards again after the sync that brings
the reopen, as it stopped offering them after the close."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_poker_items_left_slack import card_blocks
from tests.app.test_poker_items_left_tracker_slack import polled
from tests.app.test_poker_slack import board as poll_board
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_work import REOPEN, kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import later


async def test_an_issue_reopened_in_the_tracker_during_a_poll_redraws_its_board(slack, board):
    tracker, em = board
    first, numbers, poll = await polled(slack, tracker, em)
    tracker.close(em, first)
    await later(slack, SYNC)
    assert card_blocks(poll_board(slack)) == [f"poker-{numbers[1]}-cards-0"]

    REOPEN[kind_of(tracker)](em, first)
    await later(slack, SYNC)

    redrawn = poll_board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == [f"poker-{n}-cards-0" for n in numbers], shown(redrawn)
    assert f"#{numbers[0]} is done" not in shown(redrawn)
