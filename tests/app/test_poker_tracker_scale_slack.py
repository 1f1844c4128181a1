# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A poll in a channel connected to Linear, through the real app: its deck offers only the
cards the Linear team's estimate scale holds (Fibonacci 1-8: no ½, 13 or 21), says so at its
start, and a consensus on the highest card left is accepted and written to Linear."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import board, buttons, poker, replies, vote
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_connected
from tests.app.trackers import drain, item_by_key
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM


async def test_the_deck_of_a_linear_channel_is_the_linear_teams_scale(slack, linear):
    key = linear.add_issue("Pay by card").identifier
    await linear_connected(slack, linear)
    await slack.driver.command(
        "/timebox", f"roles dev <@{DEV1}|d> <@{DEV2}|d> <@{DEV3}|d>", user=PO, channel=CHANNEL
    )
    number = (await item_by_key(slack, key)).number

    await poker(slack, str(number))

    poll = board(slack)
    cards = [b for b in buttons(poll) if b not in ("Vote with a reason", "Reveal")]
    assert cards == ["1", "2", "3", "5", "8", "?", "☕"], cards
    assert (
        "Fibonacci deck (without 0, ½, 13, 21: Linear team Engineering's Fibonacci scale "
        "has no such estimate)"
    ) in shown(poll), shown(poll)
    for dev in (DEV1, DEV2, DEV3):
        await vote(slack, dev, "8")
    [result] = replies(slack, board(slack))
    choices = shown(result)
    assert "Consensus: 8" in choices, choices
    await slack.driver.click("Accept 8", user=SM, message=result)
    await drain(slack)
    assert (await item_by_key(slack, key)).estimate == 8.0
    assert linear.estimate_of(key) == 8
