"""Connecting a channel to any of the three trackers through the real app: the private choice,
a Linear team through its form, and the webhook route with each tracker's signature (a Linear
delivery must also be fresh; a connection's token under another tracker's route is refused)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.domain.tracker_webhooks import sign, verified
from bot.emulator.linear import LinearEmulator, send_webhook
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.trackers import (
    backlog_text,
    beside_slack_fixture,
    connect_by_form,
    form_text,
    roles,
    webhook_of,
)
from tests.conftest import CHANNEL, PO

linear = beside_slack_fixture("linear")


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


async def test_a_refused_form_comes_back_with_what_was_typed_but_the_key(slack, linear):
    """The tracker's check takes network time, after the ack: the form says "Checking…"
    meanwhile, then comes back with the problem on top and what was typed (but the key,
    asked for again); nothing comes as a private message. Sent again, it connects."""
    await roles(slack)
    await slack.driver.command("/timebox", "connect linear", user=PO, channel=CHANNEL)
    view = slack.emulator.open_view(PO)
    told = len(slack.emulator.ephemerals(CHANNEL, PO))
    typed = {"API key": "lin_api_wrong", "Team key": "ENG", "API address": linear.api_url}
    ack = await slack.driver.submit(view, typed, user=PO)
    assert ack.json["response_action"] == "update", ack.json
    assert "Checking with Linear" in json.dumps(ack.json["view"])
    assert not [b for b in ack.json["view"]["blocks"] if b["type"] == "input"]
    await slack.settle()

    again = slack.emulator.open_view(PO)
    assert again is view and again.view["submit"] is not None
    said = form_text(again)
    assert "did not connect this channel to Linear" in said, said
    assert "Linear did not accept the API key" in said and "Correct the form below" in said
    inputs = {b["block_id"]: b for b in again.view["blocks"] if b["type"] == "input"}
    assert inputs["team"]["element"]["initial_value"] == "ENG"
    assert inputs["api_url"]["element"]["initial_value"] == linear.api_url
    assert "initial_value" not in inputs["api_key"]["element"]
    assert "Paste the key again" in inputs["api_key"]["hint"]["text"]
    assert "lin_api_wrong" not in json.dumps(again.view)
    assert len(slack.emulator.ephemerals(CHANNEL, PO)) == told, "no private message"

    await slack.driver.submit(again, {"API key": linear.user.api_key}, user=PO)
    await slack.settle()
    done = slack.emulator.open_view(PO)
    assert done is view and done.view["submit"] is None
    assert "Connected to Linear team *Engineering*" in form_text(done)
    assert linear.user.api_key not in json.dumps(done.view)
    answer = shown(last_ephemeral(slack, PO))
    assert "This channel is connected to Linear team *Engineering*" in answer, answer


async def test_a_refusal_comes_privately_when_the_form_is_gone(slack, linear):
    """Closed while the tracker was asked, the form cannot come back: the refusal comes as a
    private message, which says how to open the form again."""
    await roles(slack)
    slack.emulator.fail_next("views.update", status=200, error="not_found")
    said = await connect_linear(slack, linear, **{"API key": "lin_api_wrong"})
    assert "did not connect this channel to Linear" in said, said
    assert "`/timebox connect linear` opens the form again" in said, said


async def test_an_unknown_team_key_is_shown_in_the_form(slack, linear):
    await roles(slack)
    said = await connect_linear(slack, linear, **{"Team key": "NOPE"})
    assert "did not connect this channel to Linear" in said and "NOPE" in said, said


async def test_a_refused_address_does_not_show_the_operators_hosts(slack, linear):
    await roles(slack)
    said = await connect_linear(slack, linear, **{"API address": "http://169.254.169.254/graphql"})
    assert "the site address must start with https://" in said, said
    assert linear.host_setting not in said and "TIMEBOX_TRACKER_HOSTS" not in said, said


async def connect_linear_public(slack, linear, monkeypatch) -> tuple[str, Any]:
    """Linear connected by a Timebox with a public address, which adds its own webhook:
    the answer, and that webhook."""
    settings = dataclasses.replace(slack.services.settings, public_url="https://timebox.example")
    monkeypatch.setattr(slack.services, "settings", settings)
    await roles(slack)
    answer = await connect_linear(slack, linear)
    assert "Timebox added its webhook in Linear" in answer, answer
    [hook] = linear.webhooks
    return answer, hook


async def test_with_a_public_address_timebox_adds_its_own_linear_webhook(
    slack, linear, monkeypatch
):
    answer, hook = await connect_linear_public(slack, linear, monkeypatch)
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
