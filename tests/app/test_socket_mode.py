"""Socket Mode, the README's quick install, end to end: the real app connects to the Slack
emulator's WebSocket with the app-level token (slack_bolt's AsyncSocketModeHandler on
slack_sdk's aiohttp client) and gets commands, clicks, submissions and events as envelopes.

The protocol itself is checked first with a bare WebSocket client, against the shapes on
Slack's "Using Socket Mode" page; then the app: the core scenarios, a refresh of the
connection in the middle of a poker round, and three instances sharing PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator
from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from storage import scratch
from storage.db import Database
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import board, replies, setup_team
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PEOPLE, PO, SM, beside_roles

TIMEOUT = 10.0  # seconds any one wait may take before the test fails
NOT_WORK = {"auth.test", "apps.connections.open"}  # Web API calls that are no listener's


async def start(db: Database, clock: ManualClock, instances: int = 1) -> LocalStack:
    stack = LocalStack(db, clock, socket_mode=True, instances=instances)
    for user, (name, real_name, tz) in PEOPLE.items():
        stack.emulator.add_user(user, name, real_name=real_name, tz=tz)
    stack.emulator.add_channel(CHANNEL, "team-a", members=[*PEOPLE, "UBOT"])
    return await stack.start()


@pytest.fixture
async def slack(db: Database, clock: ManualClock) -> AsyncIterator[LocalStack]:
    """The real app in Socket Mode against the emulator, with a team channel of five."""
    stack = await start(db, clock)
    try:
        yield stack
    finally:
        await stack.stop()
    assert stack.emulator.problems == []


def envelopes_all_acked_once(stack: LocalStack, *, one_at_a_time: bool = True) -> None:
    """Every envelope was acked, once and well; sent one at a time, each was acked before
    the app called the Web API for it (Bolt's auth.test of the bot token and the connection's
    own apps.connections.open aside)."""
    socket = stack.emulator.socket_mode
    assert socket.envelopes, "something was delivered"
    assert all(e.acked for e in socket.envelopes), "every envelope was acked"
    assert stack.emulator.problems == [], "and none twice or wrongly"
    if one_at_a_time:
        early = {
            e.envelope_id: calls
            for e in socket.envelopes
            if (calls := [c for c in e.calls_before_ack(stack.emulator) if c not in NOT_WORK])
        }
        assert early == {}, "Web API calls before the ack"


# -- the protocol, with a bare WebSocket client ------------------------------------------------


@pytest.fixture
async def em() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator() as emulator:
        yield emulator


async def test_the_emulator_speaks_socket_mode_as_slack_documents_it(em):
    web = AsyncWebClient(base_url=em.api_url)
    with pytest.raises(SlackApiError) as refused:
        await web.apps_connections_open(app_token=em.bot_token)
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as refused:
        await web.apps_connections_open(app_token="xapp-1-someone-else")
    assert refused.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as refused:
        await web.chat_postMessage(token=em.app_token, channel="C1", text="hi")
    assert refused.value.response["error"] == "not_allowed_token_type"
    opened = await web.apps_connections_open(app_token=em.app_token)
    url = opened["url"]
    assert url.startswith(f"ws://127.0.0.1:{em.url.rsplit(':', 1)[1]}/link/?ticket=")

    socket = em.socket_mode
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(url)
        hello = await ws.receive_json(timeout=TIMEOUT)
        assert hello == {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {
                "host": "applink-emulator",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": em.app_id},
        }
        async with http.get(url) as again:
            assert again.status == 401, "a URL admits one connection"
        [problem] = em.problems
        assert problem.startswith("socket mode: connection with an unknown or used ticket")
        em.problems.clear()

        # A command: the ack's payload is the answer (accepts_response_payload).
        delivery = asyncio.create_task(
            socket.deliver("slash_commands", {"command": "/backlog", "text": ""}, timeout=TIMEOUT)
        )
        envelope = await ws.receive_json(timeout=TIMEOUT)
        assert set(envelope) == {"envelope_id", "type", "payload", "accepts_response_payload"}
        assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"]
        assert envelope["payload"] == {"command": "/backlog", "text": ""}
        await ws.send_json({"envelope_id": envelope["envelope_id"], "payload": {"text": "hi"}})
        done = await delivery
        assert done.acked and done.response_payload == {"text": "hi"}
        assert done.connection == done.acked_on == "ws1"

        # An event: retry_attempt and retry_reason, and no payload taken from its ack.
        delivery = asyncio.create_task(
            socket.deliver("events_api", {"type": "event_callback"}, timeout=TIMEOUT)
        )
        envelope = await ws.receive_json(timeout=TIMEOUT)
        assert envelope["type"] == "events_api" and envelope["accepts_response_payload"] is False
        assert (envelope["retry_attempt"], envelope["retry_reason"]) == (0, "")
        await ws.send_json({"envelope_id": envelope["envelope_id"], "payload": {"x": 1}})
        done = await delivery
        assert done.acked and done.response_payload is None
        retry = asyncio.create_task(
            socket.deliver(
                "events_api", {}, retry_attempt=1, retry_reason="timeout", timeout=TIMEOUT
            )
        )
        envelope = await ws.receive_json(timeout=TIMEOUT)
        assert (envelope["retry_attempt"], envelope["retry_reason"]) == (1, "timeout")
        await ws.send_json({"envelope_id": envelope["envelope_id"]})
        await retry

        # Acks that Slack would not take are problems.
        await ws.send_json({"envelope_id": envelope["envelope_id"]})
        await ws.send_json({"envelope_id": "no-such-envelope"})
        await ws.send_str("not json")
        await socket.until(lambda: len(em.problems) == 3, "three problems", TIMEOUT)
        assert "acked twice" in em.problems[0]
        assert "unknown envelope_id 'no-such-envelope'" in em.problems[1]
        assert "not JSON" in em.problems[2]
        em.problems.clear()

        # disconnect: no new envelopes for this connection; one waits for the next.
        [gone] = await socket.disconnect(reason="warning")
        assert await ws.receive_json(timeout=TIMEOUT) == {
            "type": "disconnect",
            "reason": "warning",
            "debug_info": {"host": "applink-emulator"},
        }
        waiting = asyncio.create_task(socket.deliver("interactive", {}, timeout=TIMEOUT))
        fresh = await http.ws_connect(
            (await web.apps_connections_open(app_token=em.app_token))["url"]
        )
        assert (await fresh.receive_json(timeout=TIMEOUT))["num_connections"] == 2
        envelope = await fresh.receive_json(timeout=TIMEOUT)
        assert envelope["type"] == "interactive" and envelope["accepts_response_payload"] is True
        await ws.send_json({"envelope_id": envelope["envelope_id"]})  # acked on the old one
        assert (await waiting).acked_on == gone.id == "ws1"
        await ws.close()
        await socket.until(lambda: gone.closed, "the old connection to close", TIMEOUT)
        assert [c.id for c in socket.usable] == ["ws2"]
        await fresh.close()
    assert [c.method for c in em.calls].count("apps.connections.open") == 4
    assert em.problems == []


# -- the app over Socket Mode ------------------------------------------------------------------


async def test_backlog_add_and_list_are_answered(slack):
    socket = slack.emulator.socket_mode
    [connection] = socket.usable
    opened = slack.emulator.calls_to("apps.connections.open")
    assert len(opened) == 1 and opened[0].ok, "the app asked for a URL with its app-level token"
    ack = await slack.driver.command(
        "/backlog", "add Export invoices as PDF", user=DEV1, channel=CHANNEL
    )
    assert (ack.status, ack.text) == (200, ""), "acked at once, without a payload"
    sent = ack.envelope.to_slack()
    assert sent["type"] == "slash_commands" and sent["accepts_response_payload"] is True
    assert sent["payload"]["command"] == "/backlog" and sent["payload"]["user_id"] == DEV1
    assert ack.envelope.connection == connection.id
    added = last_ephemeral(slack, DEV1)
    assert "Added *#1* Export invoices as PDF as the first item of the backlog" in added.text
    await slack.driver.command("/backlog", "add Dark mode", user=DEV1, channel=CHANNEL)
    await slack.driver.command("/backlog", "", user=PO, channel=CHANNEL)
    listing = last_ephemeral(slack, PO)
    rows = [b["block_id"] for b in listing.blocks if b.get("block_id", "").startswith("item-")]
    assert rows == ["item-1", "item-2"]
    assert "*1.* *#1* Export invoices as PDF" in shown(listing)
    assert slack.emulator.messages(CHANNEL) == [], "answers are private"
    assert slack.instances[0].envelopes == [e.envelope_id for e in socket.envelopes]
    envelopes_all_acked_once(slack)


async def test_a_click_opens_an_item(slack):
    for title in ("Dark mode", "Export invoices"):
        await slack.driver.command("/backlog", f"add {title}", user=DEV1, channel=CHANNEL)
    await slack.driver.command("/backlog", "", user=PO, channel=CHANNEL)
    ack = await slack.driver.click("Open", user=PO, message=last_ephemeral(slack, PO))
    assert ack.status == 200
    assert ack.envelope.type == "interactive" and ack.envelope.payload["type"] == "block_actions"
    detail = last_ephemeral(slack, PO)
    assert detail.blocks[0]["text"]["text"] == "#1 Dark mode"
    assert f"<@{DEV1}> created" in shown(detail)
    envelopes_all_acked_once(slack)


async def test_a_modal_submission_edits_an_item(slack):
    await slack.driver.command("/backlog", "add Export invoices", user=DEV1, channel=CHANNEL)
    await slack.driver.command("/backlog", "edit 1", user=PO, channel=CHANNEL)
    view = slack.emulator.open_view(PO)
    assert view is not None and view.callback_id == "item_edit", "views.open with the trigger"
    refused = await slack.driver.submit(view, {"Title": "   "}, user=PO)
    assert refused.json == {
        "response_action": "errors",
        "errors": {"title": "An item needs a title, e.g. “/backlog add Export invoices as PDF”."},
    }, "the ack's payload carries the response_action"
    assert slack.emulator.open_view(PO) is view and view.errors
    ack = await slack.driver.submit(
        view,
        {"Title": "Export invoices as PDF", "Estimate (story points)": "5", "Epic": "Billing"},
        user=PO,
    )
    assert (ack.status, ack.json) == (200, None), "an empty ack closes the modal"
    assert slack.emulator.open_view(PO) is None
    assert "Saved *#1* Export invoices as PDF: changed title" in last_ephemeral(slack, PO).text
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        item = await store.item(team.id, 1)
        assert (item.title, item.estimate, item.epic) == ("Export invoices as PDF", 5.0, "Billing")
    envelopes_all_acked_once(slack)


async def test_app_home_opened_publishes_the_home_tab_and_a_retry_is_skipped(slack):
    await setup_team(slack, "Export invoices")
    event = {"type": "app_home_opened", "user": PO, "tab": "home"}
    ack = await slack.driver.event(event, event_id="Ev0HOME")
    sent = ack.envelope.to_slack()
    assert sent["type"] == "events_api" and sent["accepts_response_payload"] is False
    assert (sent["retry_attempt"], sent["retry_reason"]) == (0, "")
    assert sent["payload"]["type"] == "event_callback" and sent["payload"]["event"] == {
        **event,
        "event_ts": sent["payload"]["event"]["event_ts"],
    }
    home = json.dumps(slack.emulator.home(PO))
    assert f"<#{CHANNEL}>" in home and "Nothing here for you yet" not in home
    published = len(slack.emulator.calls_to("views.publish"))
    retry = await slack.driver.event(event, event_id="Ev0HOME", retry_num=1, retry_reason="timeout")
    assert retry.status == 200 and retry.envelope.retry_attempt == 1
    assert len(slack.emulator.calls_to("views.publish")) == published, "handled once"
    envelopes_all_acked_once(slack)


async def test_a_poker_round_counts_every_vote_and_shows_the_result(slack):
    await setup_team(slack, "Export invoices")
    await slack.driver.command("/poker", "1", user=SM, channel=CHANNEL)
    poll = board(slack)
    for dev, card in ((DEV1, "5"), (DEV2, "8"), (DEV3, "5")):
        ack = await slack.driver.click(card, user=dev, message=board(slack))
        assert ack.status == 200
    [result] = replies(slack, poll)
    text = shown(result)
    assert "round 1: everyone voted, 3 votes" in text
    assert f"`5` ▇▇ 2 · <@{DEV1}>, <@{DEV3}>" in text and f"`8` ▇ 1 · <@{DEV2}>" in text
    envelopes_all_acked_once(slack)


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
async def test_a_disconnect_mid_round_loses_nothing(slack, reason):
    socket = slack.emulator.socket_mode
    await setup_team(slack, "Export invoices")
    await slack.driver.command("/poker", "1", user=SM, channel=CHANNEL)
    poll = board(slack)
    await slack.driver.click("5", user=DEV1, message=poll)
    [old] = socket.usable

    # DEV2's vote is on the wire when Slack asks for the refresh, right behind it.
    sent = len(socket.envelopes)
    vote = asyncio.create_task(slack.driver.click("8", user=DEV2, message=board(slack)))
    await socket.until(lambda: len(socket.envelopes) > sent, "DEV2's vote to be sent", TIMEOUT)
    await socket.disconnect(old, reason)
    in_flight = await vote
    assert in_flight.envelope.connection == old.id
    assert in_flight.status == 200, "its ack still came (slack_sdk sends it on the new one)"

    [new] = await socket.connected(1, TIMEOUT)
    assert new is not old, "the app opened a new connection"
    await socket.until(lambda: old.closed, "the app to close the old connection", TIMEOUT)
    assert len(slack.emulator.calls_to("apps.connections.open")) == 2
    ack = await slack.driver.click("5", user=DEV3, message=board(slack))
    assert ack.envelope.connection == new.id

    [result] = replies(slack, poll)
    assert "round 1: everyone voted, 3 votes" in shown(result)
    async with slack.db.transaction() as store:
        rounds = [r.id for r in await store.rounds(1)]
        ballots = await store.ballots(rounds)
    assert sorted(v.voter for votes in ballots.values() for v in votes) == sorted(
        [DEV1, DEV2, DEV3]
    )
    assert socket.disconnects == [(old.id, reason)]
    envelopes_all_acked_once(slack)


# -- three instances on one PostgreSQL database ------------------------------------------------

VOTERS = [f"U0V{n:02d}" for n in range(12)]
POKER = "C0POKER"


@pytest.fixture
async def shared_postgres(postgres_database: str) -> AsyncIterator[Database]:
    """This run's PostgreSQL database, emptied (left out, and said so, without a server)."""
    database = Database(postgres_database)
    await scratch.empty(database)
    yield database
    await database.dispose()


async def test_three_instances_share_the_envelopes_and_count_every_vote_once(
    shared_postgres, clock
):
    stack = LocalStack(shared_postgres, clock, socket_mode=True, instances=3)
    em = stack.emulator
    em.add_user(PO, "paula", tz="Europe/Berlin")
    em.add_user(SM, "sam", tz="America/New_York")
    for voter in VOTERS:
        em.add_user(voter, voter.lower())
    em.add_channel(POKER, "poker", members=[PO, SM, *VOTERS, "UBOT"])
    await stack.start()
    try:
        socket = em.socket_mode
        assert len(socket.usable) == 3 and len(em.calls_to("apps.connections.open")) == 3
        driver = stack.driver
        await driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=POKER)
        await driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=POKER)
        await driver.command("/backlog", "add Estimate me", user=PO, channel=POKER)
        await driver.command("/poker", "1", user=SM, channel=POKER)
        posts = beside_roles(em.messages(POKER))  # the poll, not the roles told at setup
        [live] = [m for m in posts if m.user == "UBOT" and m.blocks]
        acks = await asyncio.gather(
            *(driver.click("5", user=voter, message=live) for voter in VOTERS)
        )
        assert all(ack.status == 200 for ack in acks)

        # Each envelope reached exactly one instance, and every instance had its share.
        sent = [e.envelope_id for e in socket.envelopes]
        reached = [envelope for i in stack.instances for envelope in i.envelopes]
        assert sorted(reached) == sorted(sent), "each envelope to one instance, once"
        assert all(len(i.envelopes) >= 5 for i in stack.instances), [
            len(i.envelopes) for i in stack.instances
        ]
        assert Counter(e.connection for e in socket.envelopes) == Counter(
            {c.id: c.envelopes for c in socket.connections}
        )

        # Every vote counted once, whichever instance took it.
        thread = em.thread(POKER, live.ts)[1:]
        assert len(thread) == 1 and "round 1: everyone voted, 12 votes" in shown(thread[0])
        async with shared_postgres.transaction() as store:
            rounds = [r.id for r in await store.rounds(1)]
            ballots = await store.ballots(rounds)
        assert sorted(v.voter for votes in ballots.values() for v in votes) == VOTERS
        envelopes_all_acked_once(stack, one_at_a_time=False)
    finally:
        await stack.stop()
    assert em.problems == []
