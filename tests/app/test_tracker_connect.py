"""Connecting a channel to any of the three trackers through the real app: the private choice,
a Linear team through its form, and the webhook route with each tracker's signature (a Linear
delivery must also be fresh; a connection's token under another tracker's route is refused)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.domain.tracker_webhooks import sign, verified
from bot.emulator.linear import LinearEmulator, send_webhook
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral
from tests.app.trackers import backlog_text, connect_by_form, roles, started_beside, webhook_of
from tests.conftest import CHANNEL, PO


@pytest.fixture
async def linear(slack: LocalStack, monkeypatch) -> LinearEmulator:
    return await started_beside(slack, "linear", monkeypatch)


async def connect_linear(slack: LocalStack, linear: LinearEmulator, **values: str) -> str:
    """The Linear form filled in for team ENG (``values`` changed) and sent: the answer."""
    entered = {"API key": linear.user.api_key, "Team key": "ENG", "API address": linear.api_url}
    return await connect_by_form(slack, "Linear", entered | values)


async def test_connect_offers_the_three_trackers_privately(slack, linear):
    await roles(slack)
    await slack.driver.command("/timebox", "connect", user=PO, channel=CHANNEL)
    choice = last_ephemeral(slack, PO)
    buttons = [
        e["text"]["text"] for b in choice.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Jira", "GitHub", "Linear"]
    assert slack.emulator.open_view(PO) is None, "no form before the choice"
    for kind, title in (("jira", "Jira"), ("github", "GitHub"), ("linear", "Linear")):
        await slack.driver.command("/timebox", f"connect {kind}", user=PO, channel=CHANNEL)
        view = slack.emulator.open_view(PO)
        assert view is not None and view.view["title"]["text"] == f"Connect {title}"
        assert json.loads(view.view["private_metadata"])["kind"] == kind
        view.open = False


async def test_a_linear_team_connects_through_its_form_and_its_webhook_is_checked(slack, linear):
    linear.add_issue("Pay by card", estimate=3)
    await roles(slack)
    answer = await connect_linear(slack, linear)
    assert "This channel is connected to Linear team *Engineering*" in answer, answer
    assert linear.user.api_key not in answer
    path, secret = await webhook_of(slack, "linear", answer)
    assert "Pay by card" in await backlog_text(slack)

    now_ms = slack.clock.now().timestamp() * 1000
    payload = {"action": "update", "type": "Issue", "data": {"identifier": "ENG-1"}}
    url = f"{slack.url}{path}"
    assert await send_webhook(url, secret, payload, timestamp_ms=now_ms) == 204
    assert await send_webhook(url, "wrong", payload, timestamp_ms=now_ms) == 401
    stale = now_ms - 61_000
    assert await send_webhook(url, secret, payload, timestamp_ms=stale) == 401, "a replay"
    github_route = url.replace("/trackers/linear/", "/trackers/github/")
    assert await send_webhook(github_route, secret, payload, timestamp_ms=now_ms) == 401
    async with aiohttp.ClientSession() as http:
        answer = await http.post(url.replace("/linear/", "/nosuch/"), data=b"{}")
        assert answer.status == 404


async def test_a_wrong_linear_key_is_refused_in_plain_words(slack, linear):
    await roles(slack)
    answer = await connect_linear(slack, linear, **{"API key": "lin_api_wrong"})
    assert "did not connect this channel to Linear" in answer
    assert "`/timebox connect linear` opens the form again" in answer


async def test_with_a_public_address_timebox_adds_its_own_linear_webhook(
    slack, linear, monkeypatch
):
    settings = dataclasses.replace(slack.services.settings, public_url="https://timebox.example")
    monkeypatch.setattr(slack.services, "settings", settings)
    await roles(slack)
    answer = await connect_linear(slack, linear)
    assert "Timebox added its webhook in Linear" in answer, answer
    [hook] = linear.webhooks
    assert hook.url.startswith("https://timebox.example/trackers/linear/")
    assert hook.url.endswith(re.search(r"/trackers/linear/([A-Za-z0-9_-]+)", answer).group(1))


def test_each_tracker_signs_in_its_own_way():
    body = json.dumps({"webhookTimestamp": 1_772_442_000_000}).encode()
    now = datetime.fromtimestamp(1_772_442_000, UTC)
    assert sign("jira", "s", body).startswith("sha256=") and verified(
        "jira", "s", body, sign("jira", "s", body), now
    )
    assert verified("github", "s", body, sign("github", "s", body), now)
    assert not verified("github", "s", body, sign("github", "t", body), now)
    assert verified("linear", "s", body, sign("linear", "s", body).upper(), now)
    assert not verified("linear", "s", b"{}", sign("linear", "s", b"{}"), now), "no timestamp"
    assert not verified("nosuch", "s", body, "x", now)
