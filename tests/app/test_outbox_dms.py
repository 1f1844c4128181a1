"""Direct messages of scheduled work are exactly-once too, like channel posts.

A DM is posted to a user id. After a crash the outbox opens that user's DM
(conversations.open) and looks for the post's key in its history before sending it again. The
crash is played as in tests/app/test_outbox.py: the sweep is cancelled while the emulator holds the
post, and a later sweep, past the lease, takes over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from tests.app.test_outbox import (
    HELD,
    crash_before_slack_has_it,
    crash_posting_directly,
    crash_while_posting,
)
from tests.conftest import DEV1, DEV2, DEV3, PO, SM

OWNERS = [PO, SM, DEV1, DEV2, DEV3]
pytestmark = pytest.mark.usefixtures("release_held")  # see tests/conftest.py


async def enqueue_dm(slack: LocalStack, user: str, text: str) -> None:
    async with slack.db.transaction() as store:
        now = slack.clock.now()
        await outbox.enqueue(store, f"test:dm:{user}", None, now, channel=user, text=text)


def dms(slack: LocalStack, user: str, text: str) -> int:
    return sum(m.text == text for m in slack.emulator.dms(user))


async def test_a_dm_that_reached_slack_before_the_crash_is_not_sent_again(slack):
    await enqueue_dm(slack, DEV1, "2 of your items are not ready")
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True)
    await crash_while_posting(slack)
    assert dms(slack, DEV1, "2 of your items are not ready") == 1, "Slack has it"
    slack.clock.advance(timedelta(minutes=3))  # past the dead worker's lease
    assert await slack.services.jobs.run_due() == 1
    assert dms(slack, DEV1, "2 of your items are not ready") == 1, "no second DM"
    async with slack.db.transaction() as store:
        [job] = await store.jobs(outbox.KIND)
        assert job.attempts == 2 and job.outcome.startswith("delivered before")
    [opened] = slack.emulator.calls_to("conversations.open")
    assert opened.args["users"] == DEV1
    [looked] = slack.emulator.calls_to("conversations.history")
    assert looked.args["channel"] == slack.emulator.dm_channel(DEV1)


async def test_a_fan_out_killed_midway_sends_every_owner_one_dm(slack):
    """The reminder's fan-out: five owners, and a crash while Slack takes the third DM (it
    has it; the sweep dies with whatever else it had in flight). After the restart: one DM
    each."""
    for owner in OWNERS:
        await enqueue_dm(slack, owner, "Your items for planning")
    posts = 0

    def third(args: dict) -> bool:
        nonlocal posts
        posts += 1
        return posts == 3

    slack.emulator.delay_next("chat.postMessage", HELD, applied=True, match=third)
    await crash_while_posting(slack)
    slack.clock.advance(timedelta(minutes=3))
    await slack.services.jobs.run_due()
    assert {owner: dms(slack, owner, "Your items for planning") for owner in OWNERS} == {
        owner: 1 for owner in OWNERS
    }
    async with slack.db.transaction() as store:
        outcomes = [job.outcome or "" for job in await store.jobs(outbox.KIND)]
    assert len(outcomes) == len(OWNERS)
    assert any(o.startswith("delivered before") for o in outcomes), "the held one was found"


async def test_a_dm_lost_with_the_crash_is_sent_after_it(slack):
    await enqueue_dm(slack, DEV2, "Nudge")
    await crash_before_slack_has_it(slack)
    assert dms(slack, DEV2, "Nudge") == 0
    slack.clock.advance(timedelta(minutes=3))
    assert await slack.services.jobs.run_due() == 1
    assert dms(slack, DEV2, "Nudge") == 1


async def test_a_direct_dm_cut_short_is_settled_once(slack):
    """A job that marks its work and then sends the DM itself (DurableClient), as a poll's
    nudge could: the DM is recorded just before it is sent, and settled later."""
    await crash_posting_directly(slack, "tell", "told", DEV3, "Your poll has closed")
    slack.clock.advance(outbox.SETTLE_AFTER)
    assert await slack.services.jobs.run_due() == 2, "the cut job again, and the settling"
    assert dms(slack, DEV3, "Your poll has closed") == 1
    async with slack.db.transaction() as store:
        [settled] = await store.jobs(outbox.KIND)
        assert settled.outcome.startswith("delivered before")


async def test_without_the_dm_scopes_a_cut_dm_is_sent_again_and_logged(slack, caplog):
    """An installation from before im:write and im:history: a double rather than a loss."""
    await enqueue_dm(slack, DEV1, "Warning")
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True)
    await crash_while_posting(slack)
    slack.emulator.fail_next("conversations.open", status=200, error="missing_scope")
    slack.clock.advance(timedelta(minutes=3))
    await slack.services.jobs.run_due()
    assert dms(slack, DEV1, "Warning") == 2
    assert any("could not look for the post" in r.getMessage() for r in caplog.records)
