"""An async round whose deadline has passed is the deadline's to reveal, even when the poll
learns of a leaver before the deadline's job has run (the bot was down, or the job is late).

Taking a voter off a poll reveals the open rounds everyone left has voted in. A round past its
deadline was among them: a vote on another item's re-vote, a reminder run late, a change of
roles or a vote clicked from outside the channel found the leaver, and the round was revealed
as "everyone voted", not as the closed poll it is, and the deadline's job, finding nothing left
to reveal, told the channel nothing. And an async poll whose items close at different times (a
re-vote opened before another item's first deadline) says each deadline in its header, not
the latest alone, which is not when every item closes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_presence_slack import leaves
from tests.app.test_poker_revote_deadline_slack import date_token, header
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

FIRST = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # `async 1 2 for 2h` at 09:00 UTC
REVOTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # #1 voted on again: until 11:30
SECOND = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
LATE = datetime(2026, 3, 2, 11, 10, tzinfo=UTC)  # past #2's deadline; its job not run yet


def cards_of(message: Any, number: int) -> str:
    """The block id of item `number`'s cards on the poll's board."""
    blocks = message.blocks
    row = next(n for n, b in enumerate(blocks) if b.get("block_id") == f"poker-item-{number}")
    block = blocks[row + 1]
    assert block["type"] == "actions", f"#{number} takes no votes"
    return str(block["block_id"])


async def vote_on(slack: LocalStack, user: str, number: int, card: str) -> None:
    """`user` clicks `card` on item `number`'s row of the board."""
    poll = board(slack)
    block_id = cards_of(poll, number)
    block = next(b for b in poll.blocks if b.get("block_id") == block_id)
    button = next(e for e in block["elements"] if e["text"]["text"] == card)
    await slack.driver.act(poll, block_id, button["action_id"], user=user)


def results_of(slack: LocalStack, number: int) -> list[str]:
    """The result posts of item `number` in the poll's thread."""
    return [shown(m) for m in replies(slack, board(slack)) if m.text.startswith(f"#{number} ")]


def closed_notices(slack: LocalStack) -> list[str]:
    """The channel's notices that an async poll has closed."""
    return [
        shown(m)
        for m in slack.emulator.messages(CHANNEL)
        if m.thread_ts is None and "has closed" in shown(m)
    ]


async def two_items_one_revoted(slack: LocalStack) -> None:
    """#1 and #2 until 11:00; #1 revealed by everyone's vote and voted on again at 09:30
    (until 11:30); Diana and Devon have voted on #2, Dmitri not."""
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 2h")
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "3")  # #1's "3"
    await vote_on(slack, DEV1, 2, "5")
    await vote_on(slack, DEV2, 2, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "round 1: everyone voted, 3 votes." in shown(result), shown(result)
    slack.clock.set(REVOTED)
    await slack.driver.click("Re-vote", user=SM, message=result)


async def test_a_vote_past_one_items_deadline_that_finds_a_leaver_leaves_it_to_the_deadline(
    slack,
):
    """Dmitri leaves; at 11:10 (#2's deadline past, its job late) Diana votes on #1's re-vote,
    and the poll, asking Slack who is in the channel, waits for Dmitri no more. #2, which only
    he held open, is not revealed as "everyone voted": its deadline's job reveals it as the
    closed poll it is, and tells the channel."""
    await two_items_one_revoted(slack)
    leaves(slack, DEV3)
    slack.clock.set(LATE)
    await vote(slack, DEV1, "8")  # #1's re-vote, open until 11:30
    await slack.settle()
    assert "You voted *8* on *#1*" in last_ephemeral(slack, DEV1).text
    assert f"<@{DEV3}>" not in shown(board(slack)), "Dmitri is waited for no more"
    assert results_of(slack, 2) == [], "past its deadline, #2 is its deadline's to reveal"
    await at(slack, LATE)
    [result] = results_of(slack, 2)
    assert "round 1: voting closed, 2 votes." in result, result
    assert "everyone voted" not in result, result
    [notice] = closed_notices(slack)
    assert "*#2* Dark mode: consensus on 5" in notice, notice


async def test_a_vote_from_outside_the_channel_past_one_items_deadline_leaves_it_too(slack):
    """Dmitri, gone, clicks a card on #1's re-vote at 11:10: his vote is taken back and the
    poll waits for him no more; #2, past its deadline, still closes as the deadline says."""
    await two_items_one_revoted(slack)
    leaves(slack, DEV3)
    slack.clock.set(LATE)
    await vote(slack, DEV3, "8")  # #1's re-vote; his confirmation cannot reach him
    await slack.settle()
    assert "not counted" in last_ephemeral(slack, DEV3).text
    assert results_of(slack, 2) == [], "past its deadline, #2 is its deadline's to reveal"
    await at(slack, LATE)
    [result] = results_of(slack, 2)
    assert "round 1: voting closed, 2 votes." in result, result
    assert len(closed_notices(slack)) == 1


async def test_a_re_votes_reminder_run_late_leaves_the_other_items_reveal_to_its_deadline(
    slack,
):
    """The bot down from 09:30 to 11:10, past #2's 11:00 deadline: the re-vote's reminders (for
    11:30) and #2's deadline fall due at once, the reminders first. A reminder that finds
    Dmitri gone does not reveal #2 as "everyone voted": the deadline reveals it as the poll
    closed, with the notice."""
    await two_items_one_revoted(slack)
    leaves(slack, DEV3)  # after the last vote: only the reminder's look at the channel sees it
    # One job at a time, in the order they fell due (as a runner busy with a backlog of due
    # work takes them): the reminders, first due a minute after the re-vote, then #2's deadline.
    slack.services.jobs.concurrency = 1
    await at(slack, LATE)
    [result] = results_of(slack, 2)
    assert "round 1: voting closed, 2 votes." in result, result
    [notice] = closed_notices(slack)
    assert "*#2* Dark mode: consensus on 5" in notice, notice


async def test_a_change_of_roles_past_the_deadline_leaves_the_reveal_to_the_deadline(slack):
    """At 11:10, past the 11:00 deadline, Dmitri is no longer a Developer: the poll waits for
    him no more, and its round, which only he held open, is revealed by the deadline's job as
    the poll closed, not as "everyone voted"."""
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 2h")
    await vote(slack, DEV1, "3")
    await vote(slack, DEV2, "5")
    slack.clock.set(LATE)
    named = f"<@{DEV1}|diana> <@{DEV2}|devon>"
    ack = await slack.driver.command("/timebox", f"roles dev {named}", user=PO, channel=CHANNEL)
    assert ack.status == 200
    await at(slack, LATE)
    [result] = replies(slack, board(slack))
    assert "round 1: voting closed, 2 votes." in shown(result), shown(result)
    assert len(closed_notices(slack)) == 1


# -- the header's deadline ----------------------------------------------------------------------


async def test_the_header_says_each_items_deadline_when_they_close_at_different_times(slack):
    """#1 voted on again at 09:30 closes at 11:30, #2 still at 11:00: the header says both,
    the sooner first with its item, not 11:30 alone (which would let #2 look open till then).
    Once #2 has closed, the header says the re-vote's deadline alone, as before."""
    await two_items_one_revoted(slack)
    text = header(board(slack))
    assert f"closes {date_token(FIRST)}" in text, text
    first, second = text.index(date_token(FIRST)), text.index(date_token(SECOND))
    assert first < second, text
    assert "for #2" in text[first:second] and "for #1" in text[second:], text
    await at(slack, FIRST)
    text = header(board(slack))
    assert f"closes {date_token(SECOND)}" in text and date_token(FIRST) not in text, text
    assert "for #" not in text, "one deadline: no item to name"
