"""The Slack emulator and driver, proven with real HTTP and Slack's own client libraries.

The Web API side is exercised through slack_sdk's ``AsyncWebClient`` and
``AsyncWebhookClient`` (what Bolt's ``respond()`` uses); the driver side through a tiny
aiohttp server standing in for the bot, and once through a real slack_bolt ``AsyncApp``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.emulator import (
    SlackDriver,
    SlackEmulator,
    View,
    check_message,
    check_view,
    is_warning,
)

START = 1_700_000_000.0  # 2023-11-14T22:13:20Z: Berlin is on CET (+01:00)
SECRET = "s3cr3t"
TOKEN = "xoxb-test"


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, start: float = START) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class Seen:
    headers: dict[str, str]
    body: str

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body, keep_blank_values=True).items()}

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.form["payload"])


class FakeBot:
    """Stands in for the bot: records each request, answers with the next queued reply."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.replies: deque[tuple[int, str, str]] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def reply(self, status: int = 200, body: Any = "") -> None:
        if isinstance(body, dict):
            self.replies.append((status, json.dumps(body), "application/json"))
        else:
            self.replies.append((status, body, "text/plain"))

    @property
    def last(self) -> Seen:
        return self.seen[-1]

    async def _handle(self, request: web.Request) -> web.Response:
        self.seen.append(Seen(dict(request.headers), (await request.read()).decode()))
        status, body, content_type = self.replies.popleft() if self.replies else (200, "", "")
        if not body:
            return web.Response(status=status)
        return web.Response(status=status, text=body, content_type=content_type)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/slack/events", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/slack/events"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def em(clock: FakeClock) -> AsyncIterator[SlackEmulator]:
    emulator = SlackEmulator(
        team_id="T0TEAM",
        team_domain="timebox-test",
        bot_token=TOKEN,
        bot_user_id="UBOT",
        validate=True,
        now=clock,
    )
    async with emulator:
        emulator.add_user("U1", "alice", real_name="Alice Po", tz="Europe/Berlin")
        emulator.add_user("U2", "bob", real_name="Bob Li")
        emulator.add_user("U3", "carol")
        emulator.add_channel("C1", "team-a", members=["U1", "U2", "UBOT"])
        yield emulator


@pytest.fixture
def client(em: SlackEmulator) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=em.api_url)


@pytest.fixture
async def bot() -> AsyncIterator[FakeBot]:
    fake = FakeBot()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settled() -> list[str]:
    return []


@pytest.fixture
async def drv(em: SlackEmulator, bot: FakeBot, settled: list[str]) -> AsyncIterator[SlackDriver]:
    async def settle() -> None:  # a real test would wait for the bot's background work here
        settled.append("settled")

    async with SlackDriver(em, app_url=bot.url, signing_secret=SECRET, settle=settle) as driver:
        yield driver


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def button(label: str, action_id: str, value: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
    }
    if value is not None:
        element["value"] = value
    return element


async def post_forged(driver: SlackDriver) -> Any:
    """An interaction whose signature is forged, straight to the app."""
    return await driver.post_raw(
        "payload=%7B%7D",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": "1",
            "X-Slack-Signature": "v0=forged",
        },
    )


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def modal(
    title: str = "Edit item", blocks: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "edit_item",
        "private_metadata": "item=7",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks if blocks is not None else [section("Hello")],
        **extra,
    }


def field(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    """An input block of a form."""
    block: dict[str, Any] = {"type": "input", "block_id": block_id}
    if optional:
        block["optional"] = True
    return {**block, "label": {"type": "plain_text", "text": label}, "element": element}


EDIT_BLOCKS: list[dict[str, Any]] = [
    field(
        "title",
        "Title",
        {"type": "plain_text_input", "action_id": "title_input", "initial_value": "Old title"},
    ),
    field(
        "type",
        "Type",
        {
            "type": "static_select",
            "action_id": "type_select",
            "options": [option("Bug", "bug"), option("Story", "story")],
            "initial_option": option("Story", "story"),
        },
    ),
    field(
        "estimate",
        "Estimate",
        {"type": "number_input", "action_id": "estimate_input", "is_decimal_allowed": False},
    ),
    field("owner", "Owner", {"type": "users_select", "action_id": "owner_select"}),
    field(
        "labels",
        "Labels",
        {
            "type": "checkboxes",
            "action_id": "labels_check",
            "options": [option("UX", "ux"), option("Backend", "backend")],
        },
        optional=True,
    ),
    field("due", "Due", {"type": "datepicker", "action_id": "due_date"}, optional=True),
    field(
        "notes",
        "Notes",
        {
            "type": "plain_text_input",
            "action_id": "notes_input",
            "multiline": True,
            "initial_value": "keep me",
        },
        optional=True,
    ),
]


# -- Web API: messages ---------------------------------------------------------------------


async def test_post_update_delete_and_read_messages(
    em: SlackEmulator, client: AsyncWebClient
) -> None:
    blocks = [section("*Backlog*", block_id="head"), {"type": "divider"}]
    first = await client.chat_postMessage(channel="C1", text="Backlog", blocks=blocks)
    assert first["ok"] is True
    assert first["channel"] == "C1"
    assert first["ts"] == "1700000000.000000"
    assert first["message"]["user"] == "UBOT"
    assert first["message"]["bot_id"] == "B0BOT"
    assert first["message"]["blocks"][0]["block_id"] == "head"
    assert first["message"]["blocks"][1]["block_id"]  # Slack fills in missing block_ids

    reply = await client.chat_postMessage(channel="C1", text="in thread", thread_ts=first["ts"])
    assert reply["ts"] == "1700000000.000001"  # unique and increasing while time stands
    dm = await client.chat_postMessage(channel="U1", text="psst")
    assert dm["channel"] == em.dm_channel("U1")
    assert dm["channel"].startswith("D")
    opened = await client.conversations_open(users="U1")
    assert opened["channel"]["id"] == dm["channel"]

    updated = await client.chat_update(channel="C1", ts=first["ts"], text="Backlog (3)")
    assert updated["text"] == "Backlog (3)"

    messages = em.messages("C1")
    assert [(m.text, m.user, m.thread_ts) for m in messages] == [
        ("Backlog (3)", "UBOT", None),
        ("in thread", "UBOT", first["ts"]),
    ]
    assert messages[0].edits == 1
    assert messages[0].blocks[0] == blocks[0]  # chat.update without blocks keeps them
    assert [m.text for m in em.thread("C1", first["ts"])] == ["Backlog (3)", "in thread"]
    assert [m.text for m in em.dms("U1")] == ["psst"]

    history = await client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["Backlog (3)"]
    assert history["messages"][0]["reply_count"] == 1

    await client.chat_delete(channel="C1", ts=reply["ts"])
    assert em.messages("C1")[1].deleted is True
    with pytest.raises(SlackApiError) as gone:
        await client.chat_update(channel="C1", ts=reply["ts"], text="again")
    assert gone.value.response["error"] == "message_not_found"

    link = await client.chat_getPermalink(channel="C1", message_ts=first["ts"])
    assert link["permalink"] == "https://timebox-test.slack.com/archives/C1/p1700000000000000"
    await client.reactions_add(channel="C1", timestamp=first["ts"], name="eyes")
    assert em.messages("C1")[0].reactions == {"eyes": ["UBOT"]}

    assert [c.method for c in em.calls][:3] == ["chat.postMessage"] * 3
    assert em.calls_to("chat.postMessage")[0].args["blocks"] == blocks
    assert em.calls_to("chat.update")[1].error == "message_not_found"
    assert em.problems == []


async def test_post_ephemeral_and_channel_errors(em: SlackEmulator, client: AsyncWebClient) -> None:
    result = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    ephemeral = em.ephemerals("C1", "U1")[0]
    assert result["message_ts"] == ephemeral.ts
    assert (ephemeral.text, ephemeral.source) == ("only you", "api")
    assert em.ephemerals("C1", "U2") == []
    with pytest.raises(SlackApiError) as outsider:
        await client.chat_postEphemeral(channel="C1", user="U3", text="hi")
    assert outsider.value.response["error"] == "user_not_in_channel"
    with pytest.raises(SlackApiError) as nowhere:
        await client.chat_postMessage(channel="C404", text="hi")
    assert nowhere.value.response["error"] == "channel_not_found"


async def test_form_encoded_get_and_auth_errors(em: SlackEmulator) -> None:
    blocks = [section("from a form")]
    async with aiohttp.ClientSession() as http:
        form = {"channel": "C1", "text": "form", "blocks": json.dumps(blocks)}
        async with http.post(
            em.api_url + "chat.postMessage", data=form, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            assert (await response.json())["ok"] is True
        async with http.get(
            em.api_url + "users.info", params={"user": "U2", "token": TOKEN}
        ) as response:
            assert (await response.json())["user"]["name"] == "bob"
        async with http.post(em.api_url + "auth.test") as response:
            assert await response.json() == {"ok": False, "error": "not_authed"}
        async with http.post(
            em.api_url + "auth.test", headers={"Authorization": "Bearer xoxb-wrong"}
        ) as response:
            assert await response.json() == {"ok": False, "error": "invalid_auth"}
        async with http.post(
            em.api_url + "chat.nope", headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            assert await response.json() == {"ok": False, "error": "unknown_method"}
    assert em.calls_to("chat.postMessage")[0].args["blocks"] == blocks
    assert em.messages("C1")[0].blocks[0]["text"]["text"] == "from a form"
    assert [(c.method, c.error) for c in em.calls[2:]] == [
        ("auth.test", "not_authed"),
        ("auth.test", "invalid_auth"),
        ("chat.nope", "unknown_method"),
    ]


async def test_users_groups_and_members_pagination(
    em: SlackEmulator, client: AsyncWebClient
) -> None:
    em.add_channel("C2", "big", members=["U1", "U2", "U3", "U4", "U5"])
    pages = [
        page["members"]  # slack_sdk follows next_cursor
        async for page in await client.conversations_members(channel="C2", limit=2)
    ]
    assert pages == [["U1", "U2"], ["U3", "U4"], ["U5"]]
    with pytest.raises(SlackApiError) as bad:
        await client.conversations_members(channel="C2", cursor="garbage")
    assert bad.value.response["error"] == "invalid_cursor"

    alice = (await client.users_info(user="U1"))["user"]
    assert alice["tz"] == "Europe/Berlin"
    assert alice["tz_offset"] == 3600
    assert alice["tz_label"] == "Central European Time"
    assert alice["profile"]["real_name"] == "Alice Po"
    with pytest.raises(SlackApiError) as missing:
        await client.users_info(user="U999")
    assert missing.value.response["error"] == "user_not_found"
    members = (await client.users_list())["members"]
    assert [u["id"] for u in members] == ["UBOT", "U1", "U2", "U3"]
    assert members[0]["is_bot"] is True

    em.add_usergroup("S1", "devs", ["U1", "U2"])
    groups = await client.usergroups_list(include_users=True)
    assert [(g["id"], g["handle"], g["users"]) for g in groups["usergroups"]] == [
        ("S1", "devs", ["U1", "U2"])
    ]
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U2"]
    info = await client.conversations_info(channel="C1")
    assert (info["channel"]["name"], info["channel"]["is_private"]) == ("team-a", False)
    assert (await client.team_info())["team"]["domain"] == "timebox-test"
    assert (await client.auth_test())["user_id"] == "UBOT"


# -- response URLs -------------------------------------------------------------------------


async def test_response_url_ephemeral_in_channel_replace_delete(em: SlackEmulator) -> None:
    url = em.new_response_url("C1", "U1")
    assert url.startswith(em.url + "/response/")
    sent = await AsyncWebhookClient(url).send(text="only you")
    assert (sent.status_code, sent.body) == (200, "ok")
    [ephemeral] = em.ephemerals("C1", "U1")
    assert (ephemeral.text, ephemeral.source) == ("only you", "response_url")

    await AsyncWebhookClient(url).send(text="everyone", response_type="in_channel")
    assert [(m.text, m.user) for m in em.messages("C1")] == [("everyone", "UBOT")]

    tied = em.new_response_url("C1", "U1", message_ref=ephemeral)
    await AsyncWebhookClient(tied).send(
        text="replaced", replace_original=True, blocks=[section("new look")]
    )
    assert len(em.ephemerals("C1", "U1")) == 1
    assert (ephemeral.text, ephemeral.replaced, ephemeral.edits) == ("replaced", True, 1)
    assert ephemeral.blocks[0]["text"]["text"] == "new look"

    channel_message = em.messages("C1")[0]
    deleting = em.new_response_url("C1", "U1", message_ref=channel_message)
    deleted = await AsyncWebhookClient(deleting).send(delete_original=True)
    assert deleted.status_code == 200
    assert channel_message.deleted is True

    limited = em.new_response_url("C1", "U2")
    statuses = [
        (await AsyncWebhookClient(limited).send(text=f"#{i}")).status_code for i in range(5)
    ]
    sixth = await AsyncWebhookClient(limited).send(text="#6")
    assert statuses == [200] * 5
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    unknown = await AsyncWebhookClient(em.url + "/response/nope").send(text="x")
    assert unknown.status_code == 404
    assert len(em.ephemerals("C1", "U2")) == 5
    assert em.calls_to("response_url")[0].args == {"text": "only you"}
    assert em.problems == []


def top_view(em: SlackEmulator) -> View:
    """U1's top-most open modal; the test fails if none is open."""
    view = em.open_view("U1")
    assert view is not None
    return view


async def open_modal(em: SlackEmulator, client: AsyncWebClient, **options: Any) -> View:
    """Opens ``modal(**options)`` for U1 with a fresh trigger, as a click would; the view."""
    await client.views_open(trigger_id=em.new_trigger_id("U1"), view=modal(**options))
    return top_view(em)


# -- views ---------------------------------------------------------------------------------


async def test_views_open_needs_a_fresh_unused_trigger(
    em: SlackEmulator, client: AsyncWebClient, clock: FakeClock
) -> None:
    trigger = em.new_trigger_id("U1")
    opened = await client.views_open(trigger_id=trigger, view=modal())
    view = top_view(em)
    assert opened["view"]["id"] == view.id
    assert (view.title, view.callback_id, view.private_metadata) == (
        "Edit item",
        "edit_item",
        "item=7",
    )
    assert opened["view"]["hash"] == view.hash
    assert opened["view"]["root_view_id"] == view.id

    with pytest.raises(SlackApiError) as reused:
        await client.views_open(trigger_id=trigger, view=modal())
    assert reused.value.response["error"] == "exchanged_trigger_id"
    late = em.new_trigger_id("U1")
    clock.advance(3.5)
    with pytest.raises(SlackApiError) as expired:
        await client.views_open(trigger_id=late, view=modal())
    assert expired.value.response["error"] == "expired_trigger_id"
    with pytest.raises(SlackApiError) as invalid:
        await client.views_open(trigger_id="12345.98765.abcdef", view=modal())
    assert invalid.value.response["error"] == "invalid_trigger_id"

    pushed = await client.views_push(trigger_id=em.new_trigger_id("U1"), view=modal("Step 2"))
    top = top_view(em)
    assert top.id == pushed["view"]["id"]
    assert top.previous_view_id == view.id
    assert [v.title for v in em.view_stack("U1")] == ["Edit item", "Step 2"]

    with pytest.raises(SlackApiError) as conflict:
        await client.views_update(view_id=view.id, hash="1.stale", view=modal("Renamed"))
    assert conflict.value.response["error"] == "hash_conflict"
    old_hash = view.hash
    await client.views_update(view_id=view.id, hash=old_hash, view=modal("Renamed"))
    assert view.title == "Renamed"
    assert view.hash != old_hash


async def test_views_publish_home_tab(em: SlackEmulator, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("Your sprint")]}
    first = await client.views_publish(user_id="U1", view=home)
    assert em.home("U1") is not None
    assert em.home("U1")["blocks"][0]["text"]["text"] == "Your sprint"  # type: ignore[index]
    assert em.home("U2") is None
    second = await client.views_publish(user_id="U1", view={**home, "blocks": [section("v2")]})
    assert second["view"]["id"] == first["view"]["id"]
    assert em.home("U1")["blocks"][0]["text"]["text"] == "v2"  # type: ignore[index]
    with pytest.raises(SlackApiError) as wrong_type:
        await client.views_publish(user_id="U1", view=modal())
    assert wrong_type.value.response["error"] == "invalid_arguments"
    em.problems.clear()  # a modal has submit/close, which a Home tab may not


# -- files ---------------------------------------------------------------------------------


async def test_files_upload_v2_info_and_download(em: SlackEmulator, client: AsyncWebClient) -> None:
    result = await client.files_upload_v2(
        channel="C1",
        content="a,b\n1,2\n",
        filename="export.csv",
        title="Export",
        initial_comment="Here it is",
    )
    file_id = result["file"]["id"]
    assert em.files[file_id].content == b"a,b\n1,2\n"
    assert em.files[file_id].title == "Export"
    assert em.calls_to("upload")[0].args == {"file_id": file_id, "bytes": 8}
    [shared] = em.messages("C1")
    assert (shared.text, shared.user, shared.files[0]["id"]) == ("Here it is", "UBOT", file_id)

    info = (await client.files_info(file=file_id))["file"]
    assert info["url_private_download"] == f"{em.url}/files/{file_id}"
    assert (info["name"], info["filetype"], info["size"]) == ("export.csv", "csv", 8)
    assert info["channels"] == ["C1"]
    async with aiohttp.ClientSession() as http:
        async with http.get(
            info["url_private_download"], headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            assert response.status == 200
            assert await response.read() == b"a,b\n1,2\n"
        async with http.get(info["url_private_download"]) as response:
            assert response.status == 403

    user_file = em.share_file("U1", "C1", "items.csv", b"title\nFix login\n")
    assert user_file["user"] == "U1"
    assert em.messages("C1")[-1].files[0]["id"] == user_file["id"]
    downloaded = await client.files_info(file=user_file["id"])
    assert downloaded["file"]["size"] == len(b"title\nFix login\n")
    assert em.problems == []


# -- validation ----------------------------------------------------------------------------


async def test_invalid_blocks_refused_and_recorded(
    em: SlackEmulator, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as too_many:
        await client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 51)
    assert too_many.value.response["error"] == "invalid_blocks"
    assert too_many.value.response["errors"] == [
        "no more than 50 items allowed (has 51) [json-pointer:/blocks]"
    ]
    with pytest.raises(SlackApiError) as too_long:
        await client.chat_postMessage(channel="C1", text="x", blocks=[section("y" * 3001)])
    assert too_long.value.response["errors"] == [
        "must be less than 3001 characters (is 3001) [json-pointer:/blocks/0/text/text]"
    ]
    assert em.messages("C1") == []
    assert em.problems == [
        "chat.postMessage: no more than 50 items allowed (has 51) [json-pointer:/blocks]",
        "chat.postMessage: must be less than 3001 characters (is 3001)"
        " [json-pointer:/blocks/0/text/text]",
    ]
    em.problems.clear()

    with pytest.warns(UserWarning, match="top-level `text`"):  # slack_sdk warns as well
        ok = await client.chat_postMessage(channel="C1", blocks=[section("no fallback")])
    assert ok["ok"] is True  # Slack accepts it but warns
    assert len(em.problems) == 1
    assert "warning: blocks were sent without a top-level `text`" in em.problems[0]
    em.problems.clear()

    with pytest.raises(SlackApiError) as bad_view:
        await client.views_open(trigger_id=em.new_trigger_id("U1"), view=modal("x" * 25))
    assert bad_view.value.response["error"] == "invalid_arguments"
    assert em.problems == [
        "views.open: must be less than 25 characters (is 25) [json-pointer:/view/title/text]"
    ]
    em.problems.clear()

    em.validate = False
    lenient = await client.chat_postMessage(channel="C1", text="x", blocks=[section("")])
    assert lenient["ok"] is True
    assert em.problems == [
        "chat.postMessage: must be more than 0 characters [json-pointer:/blocks/0/text/text]"
    ]
    em.problems.clear()


def select_message(options: list[dict[str, Any]]) -> dict[str, Any]:
    """A message whose one block holds one static select of ``options``."""
    select = {"type": "static_select", "action_id": "s", "options": options}
    return {"text": "t", "blocks": [{"type": "actions", "elements": [select]}]}


def test_blockcheck_accepts_a_realistic_message_and_modal() -> None:
    message = {
        "text": "Sprint 12",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Sprint 12"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*3 items*"},
                "fields": [{"type": "mrkdwn", "text": "a"}, {"type": "plain_text", "text": "b"}],
                "accessory": {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [option("Edit", "edit"), option("Drop", "drop")],
                },
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U1>"}]},
            {
                "type": "actions",
                "block_id": "acts",
                "elements": [
                    button("Open", "open", "1"),
                    {
                        "type": "static_select",
                        "action_id": "pick",
                        "placeholder": {"type": "plain_text", "text": "Pick"},
                        "options": [option("A", "a")],
                    },
                    {"type": "users_select", "action_id": "who"},
                ],
            },
            {"type": "divider"},
        ],
    }
    assert check_message(message) == []
    assert check_view(modal(blocks=EDIT_BLOCKS)) == []
    assert check_view({"type": "home", "blocks": [section("hi")]}) == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"text": "t", "blocks": [{"type": "actions", "elements": [button("x" * 76, "a")]}]},
            "must be less than 76 characters (is 76) [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        (
            {
                "text": "t",
                "blocks": [
                    {"type": "actions", "elements": [button("a", "same"), button("b", "same")]}
                ],
            },
            "duplicate action_id 'same': unique within a block"
            " [json-pointer:/blocks/0/elements/1/action_id]",
        ),
        (
            {"text": "t", "blocks": [section("a", "b1"), section("b", "b1")]},
            "duplicate block_id 'b1': block_id must be unique [json-pointer:/blocks/1/block_id]",
        ),
        (
            select_message([option(str(i), str(i)) for i in range(101)]),
            "no more than 100 items allowed (has 101) [json-pointer:/blocks/0/elements/0/options]",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            },
            "must be less than 151 characters (is 151) [json-pointer:/blocks/0/text/text]",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            },
            "no more than 10 items allowed (has 11) [json-pointer:/blocks/0/elements]",
        ),
        (
            {
                "text": "t",
                "blocks": [
                    {"type": "actions", "elements": [button(str(i), f"a{i}") for i in range(26)]}
                ],
            },
            "no more than 25 items allowed (has 26) [json-pointer:/blocks/0/elements]",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            },
            "no more than 10 items allowed (has 11) [json-pointer:/blocks/0/fields]",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            },
            "must be less than 2001 characters (is 2001) [json-pointer:/blocks/0/fields/0/text]",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "actions", "elements": [button("b", "a", "v" * 2001)]}],
            },
            "must be less than 2001 characters (is 2001) [json-pointer:/blocks/0/elements/0/value]",
        ),
        (
            {"text": "t", "blocks": [section("s", "b" * 256)]},
            "must be less than 256 characters (is 256) [json-pointer:/blocks/0/block_id]",
        ),
        (
            select_message([option("o" * 76, "v")]),
            "must be less than 76 characters (is 76)"
            " [json-pointer:/blocks/0/elements/0/options/0/text/text]",
        ),
        (
            {"text": "x" * 40001},
            "text must be at most 40000 characters (is 40001) [json-pointer:/text]",
        ),
        (
            {"text": "t", "blocks": [{"type": "mystery"}]},
            "unknown block type 'mystery' (surface: message) [json-pointer:/blocks/0/type]",
        ),
        ({}, "a message needs `text`, `blocks` or `attachments` [json-pointer:/]"),
        (  # a rule only slack_sdk's models know
            {
                "text": "t",
                "blocks": [
                    {
                        "type": "video",
                        "video_url": "https://v/1",
                        "thumbnail_url": "https://v/1.png",
                        "title": {"type": "plain_text", "text": "Demo"},
                    }
                ],
            },
            "alt_text attribute must be specified [json-pointer:/blocks/0]",
        ),
    ],
)
def test_blockcheck_message_limits(payload: dict[str, Any], expected: str) -> None:
    assert check_message(payload) == [expected]


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            modal("t" * 25),
            "must be less than 25 characters (is 25) [json-pointer:/view/title/text]",
        ),
        (
            {**modal(), "submit": {"type": "plain_text", "text": "s" * 25}},
            "must be less than 25 characters (is 25) [json-pointer:/view/submit/text]",
        ),
        (
            {**modal(), "private_metadata": "m" * 3001},
            "must be less than 3001 characters (is 3001) [json-pointer:/view/private_metadata]",
        ),
        (
            modal(blocks=[{"type": "divider"}] * 101),
            "no more than 100 items allowed (has 101) [json-pointer:/view/blocks]",
        ),
        (
            {**modal(blocks=EDIT_BLOCKS[:1]), "submit": None},
            "a modal with input blocks must have a submit button [json-pointer:/view/submit]",
        ),
        (
            {"type": "home", "blocks": [], "submit": {"type": "plain_text", "text": "Go"}},
            "a home tab cannot have submit [json-pointer:/view/submit]",
        ),
    ],
)
def test_blockcheck_view_limits(view: dict[str, Any], expected: str) -> None:
    assert check_view(view) == [expected]


def test_blockcheck_warns_about_missing_fallback_text() -> None:
    [problem] = check_message({"blocks": [section("hi")]})
    assert is_warning(problem)
    assert problem.endswith("[json-pointer:/text]")


# -- faults and rate limits ----------------------------------------------------------------


async def test_fail_next_429_is_retried_by_slack_sdk(
    em: SlackEmulator, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:  # the retry handler waits on our clock
        slept.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr(builtin_async_handlers, "asyncio", SimpleNamespace(sleep=fake_sleep))
    client = AsyncWebClient(
        token=TOKEN,
        base_url=em.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    em.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    result = await client.chat_postMessage(channel="C1", text="eventually")
    assert result["ok"] is True
    assert [c.http_status for c in em.calls_to("chat.postMessage")] == [429, 429, 200]
    assert [c.error for c in em.calls_to("chat.postMessage")] == [
        "ratelimited",
        "ratelimited",
        None,
    ]
    assert len(slept) == 2
    assert all(1 <= s < 2 for s in slept)  # Retry-After: 1 (+ slack_sdk's jitter)

    em.fail_next("users.info", status=200, error="fatal_error")
    with pytest.raises(SlackApiError) as fatal:
        await client.users_info(user="U1")
    assert fatal.value.response["error"] == "fatal_error"
    em.fail_next("users.info", status=503)
    with pytest.raises(SlackApiError) as down:
        await client.users_info(user="U1")
    assert down.value.response.status_code == 503
    assert (await client.users_info(user="U1"))["user"]["id"] == "U1"


async def test_rate_limit_counts_on_the_injected_clock(
    em: SlackEmulator, client: AsyncWebClient, clock: FakeClock
) -> None:
    em.add_channel("C2", "other", members=["U1"])
    em.rate_limit("chat.postMessage", per_minute=2)
    await client.chat_postMessage(channel="C1", text="1")
    clock.advance(10)
    await client.chat_postMessage(channel="C1", text="2")
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="C1", text="3")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "50"
    assert (await client.chat_postMessage(channel="C2", text="other channel"))["ok"] is True
    clock.advance(50)
    assert (await client.chat_postMessage(channel="C1", text="3 again"))["ok"] is True
    assert [m.text for m in em.messages("C1")] == ["1", "2", "3 again"]


# -- driver: commands, signatures, events --------------------------------------------------


async def test_command_is_form_encoded_and_signed_like_slack(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient, settled: list[str]
) -> None:
    ack = await drv.command("/backlog", "add Fix <!channel> login", user="U1", channel="C1")
    assert ack.status == 200
    assert ack.json is None
    assert ack.elapsed_ms > 0
    seen = bot.last
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(seen.body, seen.headers) is True
    assert (
        verifier.is_valid(
            seen.body + "x",
            seen.headers["X-Slack-Request-Timestamp"],
            seen.headers["X-Slack-Signature"],
        )
        is False
    )
    form = seen.form
    assert {
        k: form[k]
        for k in (
            "command",
            "text",
            "user_id",
            "user_name",
            "channel_id",
            "channel_name",
            "team_id",
            "team_domain",
            "api_app_id",
            "is_enterprise_install",
        )
    } == {
        "command": "/backlog",
        "text": "add Fix <!channel> login",
        "user_id": "U1",
        "user_name": "alice",
        "channel_id": "C1",
        "channel_name": "team-a",
        "team_id": "T0TEAM",
        "team_domain": "timebox-test",
        "api_app_id": "A0TIMEBOX",
        "is_enterprise_install": "false",
    }
    assert "enterprise_id" not in form
    assert form["response_url"].startswith(em.url + "/response/")
    opened = await client.views_open(trigger_id=form["trigger_id"], view=modal())
    assert opened["view"]["id"] == em.open_view("U1").id  # type: ignore[union-attr]
    await AsyncWebhookClient(form["response_url"]).send(text="Added")
    assert [e.text for e in em.ephemerals("C1", "U1")] == ["Added"]
    assert settled == ["settled"]


async def test_command_ack_body_is_shown_and_failures_recorded(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver
) -> None:
    bot.reply(200, {"text": "Working on it"})
    ack = await drv.command("/backlog", "list", user="U2", channel="C1")
    assert ack.json == {"text": "Working on it"}
    [shown] = em.ephemerals("C1", "U2")
    assert (shown.text, shown.source) == ("Working on it", "ack")

    bot.reply(500, "boom")
    failed = await drv.command("/backlog", "list", user="U2", channel="C1")
    assert failed.status == 500
    assert em.problems == ["ack of /backlog: HTTP 500: Slack treats a non-200 answer as a failure"]
    em.problems.clear()


async def test_event_envelope_retry_headers_and_forged_requests(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver
) -> None:
    await drv.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, retry_num=1)
    first = bot.last
    assert first.headers["Content-Type"] == "application/json"
    assert SignatureVerifier(SECRET).is_valid_request(first.body, first.headers) is True
    assert (first.headers["X-Slack-Retry-Num"], first.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    envelope = json.loads(first.body)
    assert envelope["type"] == "event_callback"
    assert (envelope["team_id"], envelope["api_app_id"]) == ("T0TEAM", "A0TIMEBOX")
    assert envelope["event"]["type"] == "app_home_opened"
    assert envelope["event"]["user"] == "U1"
    assert envelope["event_time"] == int(START)
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "UBOT"

    await drv.event(
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1", "ts": "1.1"},
        event_id="Ev123",
    )
    second = bot.last
    assert "X-Slack-Retry-Num" not in second.headers
    assert json.loads(second.body)["event_id"] == "Ev123"

    bot.reply(401, "invalid signature")
    forged = await post_forged(drv)
    assert forged.status == 401
    assert bot.last.headers["X-Slack-Signature"] == "v0=forged"
    assert em.problems == []


# -- driver: clicks, selects, modals -------------------------------------------------------


async def test_click_finds_button_by_label_and_sends_block_actions(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    blocks = [
        section("Fix login"),
        {
            "type": "actions",
            "block_id": "items",
            "elements": [button("Open", "open_item", "42"), button("Close", "close_item")],
        },
    ]
    posted = await client.chat_postMessage(channel="C1", text="Item", blocks=blocks)
    ack = await drv.click("Open", user="U1", channel="C1")
    assert ack.status == 200
    payload = bot.last.payload
    assert payload["type"] == "block_actions"
    assert payload["user"] == {
        "id": "U1",
        "username": "alice",
        "name": "alice",
        "team_id": "T0TEAM",
    }
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": "C1", "name": "team-a"}
    assert payload["team"] == {"id": "T0TEAM", "domain": "timebox-test"}
    assert (payload["enterprise"], payload["is_enterprise_install"]) == (None, False)
    assert payload["api_app_id"] == "A0TIMEBOX"
    assert payload["message"]["ts"] == posted["ts"]
    assert payload["message"]["blocks"] == posted["message"]["blocks"]
    assert payload["state"] == {"values": {}}
    [action] = payload["actions"]
    assert {k: action[k] for k in ("action_id", "block_id", "text", "value", "type")} == {
        "action_id": "open_item",
        "block_id": "items",
        "text": {"type": "plain_text", "text": "Open"},
        "value": "42",
        "type": "button",
    }
    assert action["action_ts"]
    assert payload["trigger_id"]
    assert SignatureVerifier(SECRET).is_valid_request(bot.last.body, bot.last.headers)

    await AsyncWebhookClient(payload["response_url"]).send(text="Opened", replace_original=True)
    [message] = em.messages("C1")
    assert (message.text, message.edits, message.blocks) == ("Opened", 1, [])

    await client.chat_postEphemeral(
        channel="C1",
        user="U1",
        text="Page 1",
        blocks=[{"type": "actions", "elements": [button("Next", "next_page", "2")]}],
    )
    await drv.click("Next", user="U1", channel="C1")
    ephemeral_payload = bot.last.payload
    assert ephemeral_payload["container"]["is_ephemeral"] is True
    assert "message" not in ephemeral_payload
    await AsyncWebhookClient(ephemeral_payload["response_url"]).send(
        text="Page 2", replace_original=True
    )
    assert [e.text for e in em.ephemerals("C1", "U1")] == ["Page 2"]
    with pytest.raises(LookupError):
        await drv.click("Next", user="U2", channel="C1")  # not U2's ephemeral


async def test_click_prefers_the_newest_message_and_overflow_options(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    for n in (1, 2):
        await client.chat_postMessage(
            channel="C1",
            text=f"item {n}",
            blocks=[
                {
                    "type": "section",
                    "block_id": f"item{n}",
                    "text": {"type": "mrkdwn", "text": f"item {n}"},
                    "accessory": {
                        "type": "overflow",
                        "action_id": "more",
                        "options": [option("Edit", f"edit-{n}"), option("Drop", f"drop-{n}")],
                    },
                }
            ],
        )
    await drv.click("Drop", user="U1", channel="C1")
    [action] = bot.last.payload["actions"]
    assert action["type"] == "overflow"
    assert action["block_id"] == "item2"
    assert action["selected_option"] == option("Drop", "drop-2")
    first = em.messages("C1")[0]
    await drv.click("Edit", user="U1", message=first)
    assert bot.last.payload["actions"][0]["selected_option"]["value"] == "edit-1"


async def test_select_in_message_sends_the_choice_and_keeps_state(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(
        channel="C1",
        text="Triage",
        blocks=[
            {
                "type": "actions",
                "block_id": "triage",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "kind",
                        "placeholder": {"type": "plain_text", "text": "Type"},
                        "options": [option("Bug", "bug"), option("Story", "story")],
                    },
                    button("Apply", "apply"),
                ],
            }
        ],
    )
    await drv.select("Type", "Bug", user="U1", channel="C1")
    [action] = bot.last.payload["actions"]
    assert (action["type"], action["selected_option"]["value"]) == ("static_select", "bug")
    await drv.click("Apply", user="U1", channel="C1")
    assert bot.last.payload["state"]["values"] == {
        "triage": {"kind": {"type": "static_select", "selected_option": option("Bug", "bug")}}
    }


async def test_submit_fills_inputs_by_label_and_applies_response_actions(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    view = await open_modal(em, client, blocks=EDIT_BLOCKS)
    bot.reply(200, {"response_action": "errors", "errors": {"estimate": "Too big"}})
    ack = await drv.submit(
        view, {"Title": "New title", "Type": "Bug", "Estimate": "13", "Owner": "U2"}, user="U1"
    )
    assert ack.json == {"response_action": "errors", "errors": {"estimate": "Too big"}}
    payload = bot.last.payload
    assert payload["type"] == "view_submission"
    assert (
        payload["view"]["id"],
        payload["view"]["callback_id"],
        payload["view"]["private_metadata"],
        payload["view"]["hash"],
    ) == (view.id, "edit_item", "item=7", view.hash)
    assert payload["response_urls"] == []
    assert payload["user"]["id"] == "U1"
    assert payload["view"]["state"]["values"] == {
        "title": {"title_input": {"type": "plain_text_input", "value": "New title"}},
        "type": {"type_select": {"type": "static_select", "selected_option": option("Bug", "bug")}},
        "estimate": {"estimate_input": {"type": "number_input", "value": "13"}},
        "owner": {"owner_select": {"type": "users_select", "selected_user": "U2"}},
        "labels": {"labels_check": {"type": "checkboxes", "selected_options": []}},
        "due": {"due_date": {"type": "datepicker", "selected_date": None}},
        "notes": {"notes_input": {"type": "plain_text_input", "value": "keep me"}},
    }
    assert view.open is True
    assert view.errors == {"estimate": "Too big"}

    bot.reply(200, "")
    await drv.submit(view, {"Estimate": "3", "Labels": ["UX"], "Due": "2026-01-09"}, user="U1")
    values = bot.last.payload["view"]["state"]["values"]
    assert values["title"]["title_input"]["value"] == "New title"  # typed earlier, kept
    assert values["estimate"]["estimate_input"]["value"] == "3"
    assert values["labels"]["labels_check"]["selected_options"] == [option("UX", "ux")]
    assert values["due"]["due_date"]["selected_date"] == "2026-01-09"
    assert view.open is False
    assert em.open_view("U1") is None
    assert em.problems == []


async def test_submit_refuses_what_slack_would_not_send(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    view = await open_modal(em, client, blocks=EDIT_BLOCKS)
    with pytest.raises(ValueError, match="'Estimate' is required"):
        await drv.submit(view, {"Owner": "U2"}, user="U1")
    with pytest.raises(ValueError, match="not a valid number"):
        await drv.submit(view, {"Owner": "U2", "Estimate": "2.5"}, user="U1")
    with pytest.raises(LookupError, match="no option 'Epic'"):
        await drv.submit(view, {"Type": "Epic"}, user="U1")
    with pytest.raises(LookupError, match="no input labelled 'Colour'"):
        await drv.submit(view, {"Colour": "red"}, user="U1")
    assert bot.seen == []


async def test_submit_update_push_clear_and_close(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    root = await open_modal(em, client, notify_on_close=True)
    bot.reply(200, {"response_action": "update", "view": modal("Step 1b", notify_on_close=True)})
    await drv.submit(root, user="U1")
    assert (root.open, root.title) == (True, "Step 1b")
    bot.reply(200, {"response_action": "push", "view": modal("Step 2")})
    await drv.submit(root, user="U1")
    top = top_view(em)
    assert (top.title, top.previous_view_id) == ("Step 2", root.id)

    assert await drv.close(top, user="U1") is None  # no notify_on_close: Slack sends nothing
    assert em.open_view("U1") is root
    closed = await drv.close(root, user="U1")
    assert closed is not None
    assert bot.last.payload["type"] == "view_closed"
    assert bot.last.payload["view"]["id"] == root.id
    assert em.open_view("U1") is None

    await open_modal(em, client)
    await client.views_push(trigger_id=em.new_trigger_id("U1"), view=modal("Two"))
    top = top_view(em)
    bot.reply(200, {"response_action": "clear"})
    await drv.submit(top, user="U1")
    assert em.open_view("U1") is None
    assert em.problems == []


async def test_click_in_modal_and_home_tab(
    em: SlackEmulator, bot: FakeBot, drv: SlackDriver, client: AsyncWebClient
) -> None:
    await client.views_publish(
        user_id="U1",
        view={
            "type": "home",
            "blocks": [
                {
                    "type": "actions",
                    "block_id": "home_actions",
                    "elements": [button("Plan sprint", "plan")],
                }
            ],
        },
    )
    await drv.click("Plan sprint", user="U1", in_home=True)
    payload = bot.last.payload
    home = em.home_view("U1")
    assert home is not None
    assert payload["container"] == {"type": "view", "view_id": home.id}
    assert payload["view"]["type"] == "home"
    assert "response_url" not in payload

    await client.views_open(
        trigger_id=em.new_trigger_id("U1"),
        view=modal(
            blocks=[
                *EDIT_BLOCKS[:1],
                {"type": "actions", "block_id": "more", "elements": [button("Add row", "add_row")]},
            ]
        ),
    )
    await drv.click("Add row", user="U1", in_view=True)
    in_modal = bot.last.payload
    assert in_modal["container"]["type"] == "view"
    assert in_modal["view"]["state"]["values"] == {
        "title": {"title_input": {"type": "plain_text_input", "value": "Old title"}}
    }
    # a trigger from a modal's button can push a view
    pushed = await client.views_push(trigger_id=in_modal["trigger_id"], view=modal("Row"))
    assert pushed["view"]["previous_view_id"] == in_modal["view"]["id"]


# -- a real Bolt app against the emulator --------------------------------------------------


async def test_real_bolt_app_round_trip(em: SlackEmulator) -> None:
    app = AsyncApp(
        token=TOKEN,
        signing_secret=SECRET,
        process_before_response=True,
        client=AsyncWebClient(token=TOKEN, base_url=em.api_url),
    )

    @app.command("/backlog")
    async def backlog(ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal(blocks=EDIT_BLOCKS))
        await respond(
            text="Opening the editor",
            blocks=[{"type": "actions", "elements": [button("Refresh", "refresh")]}],
        )

    @app.action("refresh")
    async def refresh(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="Refreshed", replace_original=True)

    @app.view("edit_item")
    async def save(ack: Any, view: dict[str, Any]) -> None:
        title = view["state"]["values"]["title"]["title_input"]["value"]
        if len(title) < 5:
            await ack(response_action="errors", errors={"title": "Too short"})
            return
        await ack()

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        async with SlackDriver(em, app_url=url, signing_secret=SECRET) as driver:
            ack = await driver.command("/backlog", "edit 7", user="U1", channel="C1")
            assert ack.status == 200
            view = top_view(em)
            assert view.callback_id == "edit_item"
            assert [e.text for e in em.ephemerals("C1", "U1")] == ["Opening the editor"]

            await driver.click("Refresh", user="U1", channel="C1")
            assert [e.text for e in em.ephemerals("C1", "U1")] == ["Refreshed"]

            refused = await driver.submit(
                view, {"Title": "Fix", "Estimate": "2", "Owner": "U2"}, user="U1"
            )
            assert refused.json == {"response_action": "errors", "errors": {"title": "Too short"}}
            assert view.open is True
            accepted = await driver.submit(view, {"Title": "Fix login"}, user="U1")
            assert (accepted.status, accepted.text) == (200, "")
            assert em.open_view("U1") is None

            forged = await post_forged(driver)
            assert forged.status == 401
    finally:
        await runner.cleanup()
    assert [c.method for c in em.calls if c.method != "auth.test"] == [
        "views.open",
        "response_url",
        "response_url",
    ]
    assert em.problems == []
