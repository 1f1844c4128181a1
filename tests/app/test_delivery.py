"""Slack's delivery semantics: a delivery that comes again (X-Slack-Retry-Num, on events and,
should a proxy retry them, on commands and clicks too) does nothing twice, and Web API calls
are retried after 5xx answers, 429s and dropped connections."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from bot.emulator.driver import Ack
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.conftest import CHANNEL, DEV1, PO, SM, beside_roles


async def again(slack: LocalStack, ack: Ack, *, interaction: bool) -> Ack:
    """The same delivery once more, as a retry: same body (same trigger_id), freshly signed."""
    body = urlencode({"payload": json.dumps(ack.sent)} if interaction else ack.sent)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack.driver.sign(body, timestamp),
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }
    return await slack.driver.post_raw(body, headers)


async def test_a_retried_command_adds_nothing_twice(slack):
    first = await slack.driver.command("/backlog", "add Only once", user=PO, channel=CHANNEL)
    retried = await again(slack, first, interaction=False)
    assert retried.status == 200 and retried.text == ""
    listing = shown(await backlog(slack))
    assert listing.count("Only once") == 1 and "1 item" in listing


async def test_a_retried_click_is_handled_once(slack):
    listing = await backlog(slack, "add Open me")
    listing = await backlog(slack)
    before = len(slack.emulator.ephemerals(CHANNEL, DEV1))
    click = await slack.driver.click("Open", user=DEV1, message=listing)
    assert len(slack.emulator.ephemerals(CHANNEL, DEV1)) == before + 1
    retried = await again(slack, click, interaction=True)
    assert retried.status == 200
    assert len(slack.emulator.ephemerals(CHANNEL, DEV1)) == before + 1, "no second answer"


async def test_web_api_calls_are_retried_after_a_500_and_a_429(slack):
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=CHANNEL)
    slack.emulator.fail_next("chat.postMessage", status=500)
    slack.emulator.fail_next("chat.postMessage", status=429, retry_after=0)
    ack = await slack.driver.command("/refine", "start 30m", user=SM, channel=CHANNEL)
    assert ack.status == 200
    calls = beside_roles(slack.emulator.calls_to("chat.postMessage"))  # the meeting's
    statuses = [c.http_status for c in calls]
    assert statuses[:3] == [500, 429, 200], "one call, retried twice by the client"
    agendas = [m for m in slack.emulator.messages(CHANNEL) if "Backlog refinement" in shown(m)]
    assert len(agendas) == 1


async def test_a_web_api_call_whose_connection_drops_is_retried(slack):
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=CHANNEL)
    slack.emulator.disconnect_next("chat.postMessage")
    ack = await slack.driver.command("/refine", "start 30m", user=SM, channel=CHANNEL)
    assert ack.status == 200
    [dropped, *rest] = beside_roles(slack.emulator.calls_to("chat.postMessage"))
    assert dropped.dropped and rest[0].http_status == 200
    agendas = [m for m in slack.emulator.messages(CHANNEL) if "Backlog refinement" in shown(m)]
    assert len(agendas) == 1
