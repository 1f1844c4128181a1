"""An async poll's deadline that closes only some of its items, through the real app.

An item revealed early and voted on again gets a new round with a later deadline, so the
poll's first deadline closes the other items while that re-vote is still open. The channel's
notice then says which items' votes closed and until when the re-vote stays open (a Slack
date, in each reader's own time zone), not that the whole poll has closed; once nothing is
left open it says so, as before. The poll message, redrawn, shows the re-vote's deadline
alone and still takes votes on it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_poker_deadline_leaver_slack import (
    FIRST,
    SECOND,
    cards_of,
    results_of,
    two_items_one_revoted,
    vote_on,
)
from tests.app.test_poker_revote_deadline_slack import date_token, header
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, SM

THIRD = datetime(2026, 3, 2, 11, 45, tzinfo=UTC)  # #2 voted on again at 09:45: until 11:45


def notices(slack: LocalStack) -> list[str]:
    """The channel's notices of an async poll's deadline (not in the poll's thread)."""
    return [
        shown(m)
        for m in slack.emulator.messages(CHANNEL)
        if m.thread_ts is None and ":alarm_clock:" in m.text
    ]


def row_text(slack: LocalStack, number: int) -> str:
    """What item `number`'s row of the poll message says."""
    blocks = board(slack).blocks
    block = next(b for b in blocks if b.get("block_id") == f"poker-item-{number}")
    return str(block["text"]["text"])


async def test_the_first_deadline_says_only_the_other_items_closed_and_when_the_re_vote_does(
    slack,
):
    """#1 voted on again at 09:30 (until 11:30), #2 until 11:00. At 11:00 the notice says that
    voting on #2 has closed, with its outcome, and that the re-vote of #1 stays open until
    11:30; it neither says the estimation poll has closed nor lists #1. The poll message shows
    #2 revealed and #1 still taking votes until 11:30, its header naming that deadline alone.
    At 11:30 nothing is left open: the notice says the poll has closed, as it always did."""
    await two_items_one_revoted(slack)
    assert await at(slack, FIRST) >= 1
    [notice] = notices(slack)
    assert "Voting on *#2* in the estimation poll by" in notice, notice
    assert "The estimation poll by" not in notice, "#1's re-vote is still open"
    assert f"The re-vote of *#1* stays open until {date_token(SECOND)}" in notice, notice
    assert "*#2* Dark mode: consensus on 5" in notice, notice
    assert "Export invoices" not in notice, "#1 did not close: it has no outcome to list"
    [result] = results_of(slack, 2)
    assert "round 1: voting closed, 2 votes." in result, result

    text = header(board(slack))
    assert f"closes {date_token(SECOND)}" in text and date_token(FIRST) not in text, text
    assert "Revealed: consensus on 5." in row_text(slack, 2)
    assert f"or voting closes {date_token(SECOND)}" in row_text(slack, 1)
    assert cards_of(board(slack), 1), "the re-vote still takes votes"
    await vote_on(slack, DEV1, 1, "8")
    await slack.settle()

    assert await at(slack, SECOND) >= 1
    first, last = notices(slack)
    assert first == notice
    assert "The estimation poll by" in last and "has closed." in last, last
    assert "*#1* Export invoices: a single estimate of 8" in last, last
    assert "stays open" not in last and "Dark mode" not in last, last
    assert "closes" not in header(board(slack)), "nothing is open: no deadline to show"


async def test_two_re_votes_each_say_their_own_deadline_soonest_first(slack):
    """#1 voted on again at 09:30 (until 11:30), #2 at 09:45 (until 11:45), #3 until 11:00.
    At 11:00 the notice names #3 as closed and each re-vote with its own deadline; at 11:30
    #1's re-vote closes and the notice says #2's stays open until 11:45; at 11:45 the poll
    has closed."""
    await setup_team(slack, "Export invoices", "Dark mode", "Audit log")
    await poker(slack, "async 1 2 3 for 2h")
    for user in (DEV1, DEV2, DEV3):
        await vote_on(slack, user, 1, "3")
        await vote_on(slack, user, 2, "5")
    await vote_on(slack, DEV1, 3, "2")
    await slack.settle()
    for number, minute in ((1, 30), (2, 45)):  # until 11:30 and 11:45
        result = next(
            m
            for m in replies(slack, board(slack))
            if m.text.startswith(f"#{number} round 1") and "poker-decide" in str(m.blocks)
        )
        slack.clock.set(datetime(2026, 3, 2, 9, minute, tzinfo=UTC))
        await slack.driver.click("Re-vote", user=SM, message=result)
    text = header(board(slack))
    assert date_token(SECOND) in text and date_token(THIRD) in text, text

    await at(slack, FIRST)
    [notice] = notices(slack)
    assert "Voting on *#3* in the estimation poll by" in notice, notice
    assert f"The re-vote of *#1* stays open until {date_token(SECOND)}" in notice, notice
    assert notice.index(date_token(SECOND)) < notice.index(date_token(THIRD)), notice
    assert "the re-vote of *#2* until" in notice, notice
    assert "*#3* Audit log: a single estimate of 2" in notice, notice

    await at(slack, SECOND)
    _, second = notices(slack)
    assert "Voting on the re-vote of *#1* in the estimation poll by" in second, second
    assert f"The re-vote of *#2* stays open until {date_token(THIRD)}" in second, second
    assert "*#1* Export invoices: nobody voted" in second, second

    await at(slack, THIRD)
    *_, last = notices(slack)
    assert "The estimation poll by" in last and "stays open" not in last, last


async def test_a_deadline_that_closes_everything_keeps_saying_the_poll_has_closed(slack):
    """One deadline for every item: the notice says the estimation poll has closed, with every
    item's outcome, and names no vote still open."""
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 2h")
    await vote(slack, DEV1, "3")
    await at(slack, FIRST)
    [notice] = notices(slack)
    assert f":alarm_clock: The estimation poll by <@{SM}> has closed." in notice, notice
    assert "*#1* Export invoices: a single estimate of 3" in notice, notice
    assert "*#2* Dark mode: nobody voted" in notice, notice
    assert "stays open" not in notice and "Voting on" not in notice, notice
