"""A poll's board is recorded in the durable outbox with the poll, and sent at once.

Only a refusal Slack answered, or a post that is not in the channel when its answer was lost,
withdraws the poll: the person hears privately that it has not started, and its items may be
polled again. A timeout or a dropped connection after Slack took the board keeps the poll (the
board's outbox key is found in the channel, and its ts kept: its buttons work). A crash between
the poll's commit and its post leaves the board to the outbox, which posts it once, in the
channel, and keeps its ts.

Before, the board was posted after the poll had committed, outside the outbox: a crash there
left a poll nobody could see, holding its items ("already polled", with no link) for good; and
any failure of the post withdrew the poll, even one whose board Slack showed (its clicks then
answered "gone").

Nothing waits for real time but the Web API client's own timeout (a fraction of a second),
which is what gives up on Slack's answer here."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from handlers import listener
from tests.app.test_backlog_slack import shown
from tests.app.test_meeting_card_answer_lost_slack import CLIENT_TIMEOUT, HELD
from tests.app.test_poker_slack import board, poker, polls, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, SM

pytestmark = pytest.mark.usefixtures("release_held")  # see tests/conftest.py


def is_board(args: dict[str, Any]) -> bool:
    """A top-level poker board (not a post in a poll's thread)."""
    return not args.get("thread_ts") and "Planning poker" in json.dumps(args)


def boards_posted(slack: LocalStack) -> list[Any]:
    return [c for c in slack.emulator.calls_to("chat.postMessage") if is_board(c.args)]


async def open_poll(slack: LocalStack) -> Any:
    async with slack.db.transaction() as store:
        team = await store.team(slack.emulator.team_id, CHANNEL)
        [poll] = await store.open_polls(team.id)
        return poll


async def no_poll(slack: LocalStack) -> bool:
    async with slack.db.transaction() as store:
        team = await store.team(slack.emulator.team_id, CHANNEL)
        return list(await store.open_polls(team.id)) == []


async def all_vote_and_reveal(slack: LocalStack) -> Any:
    """The channel's developers vote on the board: the round's result comes in its thread."""
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    return result


async def test_a_board_slack_took_whose_answer_was_lost_keeps_the_poll(slack):
    await setup_team(slack, "Export invoices")
    slack.app.client.timeout = CLIENT_TIMEOUT
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True, match=is_board)
    answer = await poker(slack, "1")
    [posted] = boards_posted(slack)
    assert posted.held and posted.ok, "Slack has the board; the bot never heard so"
    assert answer is None, "nobody is told anything went wrong with a poll they can see"
    [shown_board] = polls(slack)
    assert (await open_poll(slack)).message_ts == shown_board.ts, "found by its key, and kept"

    result = await all_vote_and_reveal(slack)  # its cards work: the board is the poll's
    assert "round 1: everyone voted, 3 votes" in shown(result)
    assert len(polls(slack)) == 1, "one board"


@pytest.mark.parametrize("fault", ["refused", "never reached"])
async def test_a_board_slack_does_not_have_withdraws_the_poll_and_says_so(slack, fault):
    await setup_team(slack, "Export invoices")
    if fault == "refused":
        slack.emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
    else:  # the connection dropped, with the client's two retries
        slack.emulator.disconnect_next("chat.postMessage", times=3)
    answer = await poker(slack, "1")
    assert "the poll has not started" in answer.text
    assert polls(slack) == []
    assert await no_poll(slack), "withdrawn"
    looked = slack.emulator.calls_to("conversations.history")
    assert (looked == []) == (fault == "refused"), "a refusal is definite; a lost answer looked"

    assert await poker(slack, "1") is None, "not 'already polled': it may be polled again"
    [shown_board] = polls(slack)
    assert (await open_poll(slack)).message_ts == shown_board.ts
    await all_vote_and_reveal(slack)


async def crash_while_posting_the_board(slack: LocalStack, *, applied: bool) -> None:
    """`/poker 1`, and the process dies while Slack holds the board's post, after the poll has
    committed: Slack has the board (`applied`), or never gets it (the emulator notices the
    hang-up and drops the request)."""
    slack.emulator.delay_next("chat.postMessage", HELD, applied=applied, match=is_board)
    command = asyncio.create_task(slack.driver.command("/poker", "1", user=SM, channel=CHANNEL))
    for _ in range(400):  # a real request on its way: bounded, no clock involved
        if any(c.held for c in boards_posted(slack)):
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the board never reached the emulator")
    for task in list(listener._running):  # the listener's work stops dead, as with a kill
        task.cancel()
    await command
    if not applied:
        for _ in range(400):  # bounded, no clock involved
            if any(c.dropped for c in boards_posted(slack)):
                break
            await asyncio.sleep(0.01)
    slack.emulator.release_held()


@pytest.mark.parametrize("applied", [False, True], ids=["lost with the crash", "slack had it"])
async def test_a_crash_between_the_polls_commit_and_its_post_is_settled_by_the_outbox(
    slack, applied
):
    await setup_team(slack, "Export invoices")
    await crash_while_posting_the_board(slack, applied=applied)
    assert len(polls(slack)) == int(applied)
    assert (await open_poll(slack)).message_ts is None, "the poll committed; its ts unknown"

    slack.clock.advance(outbox.SETTLE_AFTER + timedelta(seconds=1))
    await slack.services.jobs.run_due()
    await slack.settle()
    [shown_board] = polls(slack)  # posted by the outbox, or found there: once
    assert (await open_poll(slack)).message_ts == shown_board.ts
    result = await all_vote_and_reveal(slack)
    assert "round 1: everyone voted, 3 votes" in shown(result)
    assert len(polls(slack)) == 1


async def test_a_board_the_outbox_never_gets_to_slack_withdraws_the_poll_at_its_last_try(slack):
    """After a crash, the outbox's tries of the board all fail: at the last one the poll is
    withdrawn (it never started), so its items may be polled again; before, it stayed open
    with no message, holding them."""
    await setup_team(slack, "Export invoices")
    await crash_while_posting_the_board(slack, applied=False)
    slack.emulator.fail_next("chat.postMessage", status=200, error="not_in_channel", times=5)
    slack.clock.advance(outbox.SETTLE_AFTER + timedelta(seconds=1))
    for _ in range(5):  # the outbox's five tries, each after its back-off
        await slack.services.jobs.run_due()
        await slack.settle()
        slack.clock.advance(timedelta(minutes=5))
    assert polls(slack) == []
    assert await no_poll(slack), "withdrawn at the last try"

    await poker(slack, "1")
    assert len(polls(slack)) == 1, "its item may be polled again"


async def test_a_board_slack_took_at_the_outbox_last_try_keeps_the_poll(slack):
    """The outbox's last try of the board times out after Slack took it: the post is looked
    for and kept (the poll stands, its board works), not taken for a refusal."""
    await setup_team(slack, "Export invoices")
    await crash_while_posting_the_board(slack, applied=False)
    slack.emulator.fail_next("chat.postMessage", status=200, error="internal_error", times=4)
    slack.clock.advance(outbox.SETTLE_AFTER + timedelta(seconds=1))
    for _ in range(4):  # four tries refused, each after its back-off
        await slack.services.jobs.run_due()
        await slack.settle()
        slack.clock.advance(timedelta(minutes=5))
    slack.app.client.timeout = CLIENT_TIMEOUT
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True, match=is_board)
    await slack.services.jobs.run_due()  # the last: Slack has it, the answer is lost
    await slack.settle()
    [shown_board] = polls(slack)
    assert (await open_poll(slack)).message_ts == shown_board.ts, "found and kept"
    result = await all_vote_and_reveal(slack)
    assert "round 1: everyone voted, 3 votes" in shown(result)
