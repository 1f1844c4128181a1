"""Posts of scheduled work survive a crash at any point: neither lost nor doubled.

A crash is played in-process: the sweep is cancelled while the emulator holds the post (as a
killed process stops mid-call), and a later sweep, past the lease, takes over."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from handlers import outbox as slack_outbox
from tests.conftest import CHANNEL

HELD = 30.0  # seconds the emulator holds the post: far longer than the test needs
pytestmark = pytest.mark.usefixtures("release_held")  # see tests/conftest.py


async def crash_while_posting(slack: LocalStack) -> None:
    """Runs due work until the emulator holds a chat.postMessage, then stops it dead."""
    sweep = asyncio.create_task(slack.services.jobs.run_due())
    for _ in range(400):  # a real request on its way: bounded, no clock involved
        if any(c.held for c in slack.emulator.calls_to("chat.postMessage")):
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the post never reached the emulator")
    sweep.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sweep


async def crash_before_slack_has_it(slack: LocalStack) -> None:
    """A crash while the post is on its way: Slack never has it (the emulator notices the
    hang-up and drops the request)."""
    slack.emulator.delay_next("chat.postMessage", HELD, applied=False)
    await crash_while_posting(slack)
    for _ in range(400):  # bounded, no clock involved
        if any(c.dropped for c in slack.emulator.calls_to("chat.postMessage")):
            break
        await asyncio.sleep(0.01)
    slack.emulator.release_held()


async def crash_posting_directly(
    slack: LocalStack, kind: str, done: str, channel: str, text: str
) -> None:
    """A job of `kind` (key `<kind>:1`) that marks its work and then posts `text` itself
    through `DurableClient`, not through `enqueue`; it answers `done`, or `<done> already`
    when marked. The process crashes while the emulator holds the post."""
    marked: set[str] = set()

    async def job(due) -> str:
        if due.key in marked:
            return f"{done} already"
        marked.add(due.key)  # the job's own mark, committed before the post
        client = slack_outbox.DurableClient(slack.app.client, slack.services, due, None)
        await client.chat_postMessage(channel=channel, text=text)
        return done

    slack.services.jobs.handle(kind, job)
    async with slack.db.transaction() as store:
        await store.schedule(kind, f"{kind}:1", slack.clock.now(), {})
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True)
    await crash_while_posting(slack)


async def enqueue(slack: LocalStack, text: str) -> None:
    async with slack.db.transaction() as store:
        now = slack.clock.now()
        await outbox.enqueue(store, f"test:{text}", None, now, channel=CHANNEL, text=text)


def posted(slack: LocalStack, text: str) -> int:
    return sum(m.text == text for m in slack.emulator.messages(CHANNEL))


async def test_a_post_that_reached_slack_before_the_crash_is_not_sent_again(slack):
    await enqueue(slack, "Time is up")
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True)
    await crash_while_posting(slack)
    assert posted(slack, "Time is up") == 1, "Slack has it; the bot never heard back"
    slack.clock.advance(timedelta(minutes=3))  # past the dead worker's lease
    assert await slack.services.jobs.run_due() == 1
    assert posted(slack, "Time is up") == 1
    async with slack.db.transaction() as store:
        [job] = await store.jobs(outbox.KIND)
        assert job.attempts == 2 and job.outcome.startswith("delivered before")


async def test_a_post_lost_with_the_crash_is_sent_after_it(slack):
    await enqueue(slack, "Reminder")
    await crash_before_slack_has_it(slack)
    assert posted(slack, "Reminder") == 0
    slack.clock.advance(timedelta(minutes=3))
    assert await slack.services.jobs.run_due() == 1
    assert posted(slack, "Reminder") == 1


async def test_a_direct_post_cut_short_is_settled_after_the_settle_delay(slack):
    """A job that marks its work and then posts itself (not through `enqueue`), as the poll
    deadline does: the post is recorded just before it is sent, and settled later."""
    await crash_posting_directly(slack, "announce", "announced", CHANNEL, "The poll has closed")
    slack.clock.advance(outbox.SETTLE_AFTER)
    assert await slack.services.jobs.run_due() == 2, "the cut job again, and the settling"
    assert posted(slack, "The poll has closed") == 1
    async with slack.db.transaction() as store:
        [settled] = await store.jobs(outbox.KIND)
        assert settled.outcome.startswith("delivered before")
        assert (await store.scheduled("announce:1")).outcome == "announced already"


async def test_without_history_access_a_cut_post_is_sent_again_and_logged(slack, caplog):
    await enqueue(slack, "Warning")
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True)
    await crash_while_posting(slack)
    slack.emulator.fail_next("conversations.history", status=200, error="missing_scope")
    slack.clock.advance(timedelta(minutes=3))
    await slack.services.jobs.run_due()
    assert posted(slack, "Warning") == 2, "a double rather than a loss"
    assert any("could not look for the post" in r.getMessage() for r in caplog.records)
