"""A local stand-in for Slack's Web API, response URLs and file hosting.

The bot talks to it exactly as it talks to Slack: ``AsyncWebClient(base_url=em.api_url)`` for
the Web API, the ``response_url`` and ``trigger_id`` that the driver hands out in payloads,
and the upload and download URLs of files. Every call is recorded, the resulting workspace
state (messages, ephemerals, modals, Home tabs, files) can be inspected, and every payload is
checked against Block Kit's rules so a test fails where Slack would have refused.

It never sleeps: time comes from an injectable ``now`` clock, so trigger expiry, rate limits
and ``Retry-After`` can be tested without waiting. Behaviour that the bot relies on follows
Slack's documentation; where Slack's documented answer and convenience differ, Slack wins.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import hashlib
import json
import math
import mimetypes
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from bot.emulator.blockcheck import Problem, message_problems, view_problems
from bot.emulator.faults import hung_up
from bot.emulator.http import Clock, LocalServer
from bot.emulator.socket_mode import SocketMode

Listener = Callable[[str, Any], None]
"""Told ``(kind, obj)`` whenever the workspace changes (for the sandbox's live page)."""

TRIGGER_TTL = 3.0  # seconds a trigger_id can be exchanged for a modal
RESPONSE_URL_USES = 5  # Slack: "up to 5 times within 30 minutes"
RESPONSE_URL_TTL = 30 * 60
MAX_VIEW_STACK = 3
RATE_WINDOW = 60.0
PSEUDO_METHODS = ("response_url", "upload", "download")
"""``ApiCall.method`` of the non-Web-API endpoints, so every request the bot made is visible."""
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})
"""Methods that take the app-level token (``xapp-``) and no other; it works for nothing else."""

_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
_TZ_NAMES = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
}


# -- recorded state ------------------------------------------------------------------------


@dataclass
class ApiCall:
    """One request the bot made: a Web API method or one of ``PSEUDO_METHODS``."""

    method: str
    args: dict[str, Any]
    """Arguments from query, form or JSON body, JSON-string fields decoded, token removed."""
    ok: bool = False
    error: str | None = None
    http_status: int = 200
    at: float = 0.0
    response: Any = None
    held: float = 0.0
    """Seconds the answer was held by ``delay_next`` (the call is answered late)."""
    dropped: bool = False
    """Never done: held and the bot hung up (``applied=False``), or ``disconnect_next``."""
    team: str | None = None
    """The workspace whose token made the call (None: no token or an unknown one)."""

    @property
    def route(self) -> str:
        """What ``calls_to`` looks up: the method."""
        return self.method


@dataclass
class Message:
    """A message in a channel, DM or thread, as Slack keeps it."""

    ts: str
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    edits: int = 0
    deleted: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)
    bot_id: str | None = None
    app_id: str | None = None
    team: str = ""
    edited_ts: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    replies: list[Message] = field(default_factory=list)
    metadata: dict[str, Any] | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self) -> dict[str, Any]:
        """The message object as Slack returns it (chat.postMessage, history, payloads)."""
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": self.team,
        }
        if self.bot_id:
            out["bot_id"] = self.bot_id
            out["app_id"] = self.app_id
        if self.blocks:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments:
            out["attachments"] = copy.deepcopy(self.attachments)
        if self.files:
            out["files"] = copy.deepcopy(self.files)
            out["upload"] = True
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        live = [r for r in self.replies if not r.deleted]
        if not self.is_reply and live:
            out["reply_count"] = len(live)
            out["reply_users"] = sorted({r.user for r in live})
            out["latest_reply"] = live[-1].ts
        if self.edited_ts:
            out["edited"] = {"user": self.user, "ts": self.edited_ts}
        if self.reactions:
            out["reactions"] = [
                {"name": n, "users": list(u), "count": len(u)} for n, u in self.reactions.items()
            ]
        if self.metadata:
            out["metadata"] = copy.deepcopy(self.metadata)
        return out


@dataclass
class Ephemeral:
    """A message only ``user`` sees in ``channel``; Slack keeps it on that user's screen only."""

    ts: str
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    source: Literal["api", "response_url", "ack"] = "api"
    thread_ts: str | None = None
    deleted: bool = False
    replaced: bool = False
    edits: int = 0

    def to_slack(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "text": self.text, "ts": self.ts}
        if self.blocks:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        return out


@dataclass
class View:
    """A modal or Home tab; ``view`` is the full view object Slack returns and sends."""

    id: str
    user: str
    view: dict[str, Any]
    open: bool = True
    errors: dict[str, str] | None = None
    """The latest ``response_action: errors`` shown on this modal."""

    @property
    def hash(self) -> str:
        return str(self.view["hash"])

    @property
    def type(self) -> str:
        return str(self.view["type"])

    @property
    def previous_view_id(self) -> str | None:
        return self.view.get("previous_view_id")

    @property
    def root_view_id(self) -> str:
        return str(self.view.get("root_view_id") or self.id)

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata") or "")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks") or [])

    @property
    def title(self) -> str:
        return str((self.view.get("title") or {}).get("text", ""))


@dataclass
class SlackFile:
    """A file the bot uploaded or a user shared; ``content`` is None until uploaded."""

    id: str
    name: str
    title: str
    filetype: str
    mimetype: str
    user: str
    created: int
    url_private: str
    content: bytes | None = None
    length: int | None = None
    channels: list[str] = field(default_factory=list)
    shares: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.content or b"")

    def to_slack(self) -> dict[str, Any]:
        """The file object as files.info returns it."""
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "pretty_type": self.filetype.upper(),
            "user": self.user,
            "editable": False,
            "size": self.size,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(self.shares.get("public")),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": self.url_private,
            "url_private_download": self.url_private,
            "permalink": self.url_private,
            "channels": list(self.channels),
            "groups": [],
            "ims": [],
            "shares": copy.deepcopy(self.shares),
            "comments_count": 0,
            "file_access": "visible",
        }


@dataclass
class Channel:
    """A conversation: public/private channel, DM (``is_im``) or group DM (``is_mpim``)."""

    id: str
    name: str
    members: list[str]
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    created: int = 0
    is_archived: bool = False
    topic: str = ""
    purpose: str = ""

    def to_slack(self) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": True,
            "num_members": len(self.members),
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
        }


@dataclass
class _Trigger:
    id: str
    user: str
    issued: float
    used: bool = False


@dataclass
class _ResponseUrl:
    token: str
    channel: str
    user: str
    target: Message | Ephemeral | None
    issued: float
    uses: int = 0


@dataclass
class _Fault:
    status: int
    retry_after: int
    error: str
    remaining: int


@dataclass
class _Delay:
    seconds: float
    applied: bool
    remaining: int
    match: Callable[[dict[str, Any]], bool] | None = None


_Planned = TypeVar("_Planned", _Fault, _Delay)


def _take_one(queue: deque[_Planned]) -> _Planned:
    """The next planned fault or delay of a method, used once more (gone when used up)."""
    planned = queue[0]
    planned.remaining -= 1
    if planned.remaining <= 0:
        queue.popleft()
    return planned


@dataclass
class _Grant:
    """An OAuth code from /oauth/v2/authorize, waiting to be exchanged by oauth.v2.access."""

    team_id: str
    user_id: str
    scope: str
    redirect_uri: str


@dataclass
class _RateLimit:
    per_minute: int
    per_channel: bool
    hits: dict[str | None, deque[float]] = field(default_factory=dict)


class _Fail(Exception):
    """Raised by a method to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


# -- helpers -------------------------------------------------------------------------------


def _flag(value: Any) -> bool:
    """Slack's booleans arrive as JSON booleans or form strings."""
    return (
        value is True
        or (isinstance(value, str) and value.lower() in ("true", "1"))
        or (isinstance(value, int) and not isinstance(value, bool) and value == 1)
    )


def _short_id(*parts: object) -> str:
    """A short id like Slack's generated block_id/action_id, stable for the same inputs."""
    digest = hashlib.sha1(":".join(map(str, parts)).encode()).digest()
    return base64.b32encode(digest).decode()[:5]


def _fill_ids(blocks: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    """Give blocks and interactive elements the ids Slack generates when the bot omits them."""
    out = copy.deepcopy(blocks)
    for i, block in enumerate(out):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", _short_id(seed, i))
        elements: list[Any] = []
        if block.get("type") == "actions":
            elements = list(block.get("elements") or [])
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            elements = [block["accessory"]]
        elif block.get("type") == "input" and isinstance(block.get("element"), dict):
            elements = [block["element"]]
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") != "image":
                element.setdefault("action_id", _short_id(seed, i, j))
    return out


def _state_ids(blocks: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    ids: set[tuple[str, str]] = set()
    for block in blocks:
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("element", "accessory"):
            if isinstance(block.get(key), Mapping):
                elements.append(block[key])
        ids.update(
            (str(block.get("block_id")), str(e.get("action_id")))
            for e in elements
            if isinstance(e, Mapping)
        )
    return ids


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _page(
    items: list[Any],
    args: Mapping[str, Any],
    default_limit: int = 100,
) -> tuple[list[Any], str]:
    """Slack's cursor pagination: returns one page and the ``next_cursor`` ("" at the end)."""
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError) as exc:
        raise _Fail("invalid_limit") from exc
    limit = max(1, min(limit, 1000))
    offset = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            kind, _, number = base64.b64decode(str(cursor)).decode().partition(":")
            offset = int(number)
            if kind != "offset" or offset < 0:
                raise ValueError(cursor)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise _Fail("invalid_cursor") from exc
    page = items[offset : offset + limit]
    next_offset = offset + limit
    return page, _cursor(next_offset) if next_offset < len(items) else ""


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


# -- the emulator --------------------------------------------------------------------------


class SlackEmulator(LocalServer[ApiCall]):
    """Slack's Web API and workspace state for one team, served on 127.0.0.1.

    Start it, point the bot's ``AsyncWebClient`` at ``api_url``, and inspect ``calls``,
    ``messages()``, ``ephemerals()``, ``views``, ``files`` and ``problems`` afterwards.
    """

    def __init__(
        self,
        team_id: str = "T0TEAM",
        team_domain: str = "timebox-test",
        bot_token: str = "xoxb-test",
        bot_user_id: str = "UBOT",
        validate: bool = True,
        now: Clock = time.time,
        *,
        team_name: str = "Timebox Test",
        bot_name: str = "timebox",
        bot_id: str = "B0BOT",
        app_id: str = "A0TIMEBOX",
        host: str = "127.0.0.1",
        port: int = 0,
        app_token: str = "xapp-1-A0TIMEBOX-1-emulator",
    ) -> None:
        super().__init__(now=now, host=host, port=port)
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.bot_token = bot_token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.app_token = app_token
        """The app-level token: apps.connections.open takes it for a Socket Mode URL."""
        self.validate = validate
        self.permalink_base: str | None = None
        """Where chat.getPermalink's links point: the workspace's slack.com address, or (the
        sandbox) the page that shows the messages."""

        self.problems: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.views: dict[str, View] = {}
        self.files: dict[str, SlackFile] = {}
        self.listeners: list[Listener] = []
        self.socket_mode = SocketMode(self)
        """Socket Mode: connections from apps.connections.open URLs, envelopes and acks."""

        self._tokens: dict[str, str] = {bot_token: bot_user_id}
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[Ephemeral] = []
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._ims: dict[frozenset[str], str] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[_Delay]] = {}
        self._hang_ups: dict[str, int] = {}
        # Installing the app into workspaces (OAuth): the app's credentials, the workspaces
        # that may install it, codes waiting to be exchanged, and which team a token is for.
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self.redirect_uri: str | None = None
        self.workspaces: dict[str, dict[str, str]] = {
            team_id: {"id": team_id, "name": team_name, "domain": team_domain}
        }
        self._grants: dict[str, _Grant] = {}
        self._token_teams: dict[str, str] = {bot_token: team_id}
        self._limits: dict[str, _RateLimit] = {}
        self._counter = 0
        self._last_micros = 0
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": lambda args: {"args": args},
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "team.info": self._team_info,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.list": self._conversations_list,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
        }
        self.add_user(bot_user_id, bot_name, real_name=bot_name.title(), is_bot=True)

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """What to pass as ``AsyncWebClient(base_url=...)``."""
        return f"{self.url}/api/"

    def make_app(self) -> web.Application:
        """The aiohttp application, for ``start()`` or to mount inside the sandbox."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._handle_api),
                web.get("/oauth/v2/authorize", self._handle_authorize),
                web.post("/response/{token}", self._handle_response_url),
                web.post("/upload/{file_id}", self._handle_upload),
                web.get("/files/{file_id}", self._handle_download),
                web.get("/files/{file_id}/{name}", self._handle_download),
                web.get("/link/", self.socket_mode.handle),
            ]
        )
        return app

    async def _stopping(self) -> None:
        await self.socket_mode.close_all()

    # -- time and ids --------------------------------------------------------------------

    def next_ts(self) -> str:
        """A fresh Slack ts from ``now()``: unique and strictly increasing even if time stands."""
        micros = max(round(self.epoch() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_number(self) -> int:
        self._counter += 1
        return self._counter

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-style id such as ``V000000001A`` (deterministic per emulator)."""
        number, digits = self._next_number(), ""
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        while number:
            number, rest = divmod(number, 36)
            digits = alphabet[rest] + digits
        return prefix + digits.rjust(10, "0")

    def _new_hash(self) -> str:
        seed = hashlib.sha1(f"hash:{self._next_number()}".encode()).hexdigest()
        return f"{int(self.epoch())}.{seed[:8]}"

    def _notify(self, kind: str, obj: Any) -> None:
        for listener in list(self.listeners):
            listener(kind, obj)

    # -- workspace setup -----------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
        email: str | None = None,
        is_bot: bool = False,
        is_admin: bool = False,
        deleted: bool = False,
    ) -> dict[str, Any]:
        """Add a member; returns the users.info ``user`` object (tz fields as of ``now()``)."""
        real = real_name if real_name is not None else name
        display = display_name if display_name is not None else ""
        profile: dict[str, Any] = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": display,
            "display_name_normalized": display,
            "first_name": real.split(" ")[0],
            "last_name": " ".join(real.split(" ")[1:]),
            "team": self.team_id,
            "avatar_hash": "",
            "status_text": "",
            "status_emoji": "",
        }
        if email is not None:
            profile["email"] = email
        if is_bot:
            profile.update(bot_id=self.bot_id, api_app_id=self.app_id)
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(self.epoch()),
        }
        return self.user(user_id)

    def user(self, user_id: str) -> dict[str, Any]:
        """The users.info ``user`` object, with ``tz_label``/``tz_offset`` as of ``now()``."""
        user = copy.deepcopy(self.users[user_id])
        try:
            zone = ZoneInfo(user["tz"])
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        local = datetime.fromtimestamp(self.epoch(), UTC).astimezone(zone)
        offset = local.utcoffset()
        abbreviation = local.tzname() or "UTC"
        user["tz_offset"] = int(offset.total_seconds()) if offset else 0
        user["tz_label"] = _TZ_NAMES.get(abbreviation, abbreviation)
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: Iterable[str] = (),
        is_private: bool = False,
        *,
        topic: str = "",
        purpose: str = "",
    ) -> Channel:
        """Add a channel; ``members`` is what conversations.members returns (add the bot if
        you want it listed)."""
        channel = Channel(
            channel_id,
            name,
            list(members),
            is_private=is_private,
            created=int(self.epoch()),
            topic=topic,
            purpose=purpose,
        )
        self.channels[channel_id] = channel
        self._messages.setdefault(channel_id, [])
        return channel

    def add_usergroup(
        self, usergroup_id: str, handle: str, users: Iterable[str], *, name: str | None = None
    ) -> dict[str, Any]:
        group = {
            "id": usergroup_id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": name or handle,
            "description": "",
            "handle": handle,
            "is_external": False,
            "date_create": int(self.epoch()),
            "date_update": 0,
            "date_delete": 0,
            "auto_type": None,
            "created_by": "",
            "updated_by": "",
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
            "users": list(users),
            "user_count": 0,
        }
        group["user_count"] = len(group["users"])
        self.usergroups[usergroup_id] = group
        return copy.deepcopy(group)

    def dm_channel(self, user: str) -> str:
        """The stable D… id of the bot's DM with ``user`` (what conversations.open returns)."""
        return self._im_with([user]).id

    def _im_with(self, users: list[str]) -> Channel:
        others = [u for u in users if u != self.bot_user_id] or [self.bot_user_id]
        key = frozenset(others)
        if key in self._ims:
            return self.channels[self._ims[key]]
        for u in others:
            if u not in self.users:
                raise _Fail("user_not_found")
        if len(others) == 1:
            channel = Channel(
                self.new_id("D"),
                others[0],
                [others[0], self.bot_user_id],
                is_im=True,
                user=others[0],
                created=int(self.epoch()),
            )
        else:
            names = "-".join(self.users[u]["name"] for u in sorted(others))
            channel = Channel(
                self.new_id("G"),
                f"mpdm-{names}-1",
                [*sorted(others), self.bot_user_id],
                is_mpim=True,
                created=int(self.epoch()),
            )
        self._ims[key] = channel.id
        self.channels[channel.id] = channel
        self._messages.setdefault(channel.id, [])
        return channel

    def _channel(self, ref: Any) -> Channel:
        """Resolve a channel id, a user id (the bot's DM with them) or a channel name."""
        if not isinstance(ref, str) or not ref:
            raise _Fail("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        if ref[0] in "UW" and ref in self.users:
            return self._im_with([ref])
        name = ref.lstrip("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        raise _Fail("channel_not_found")

    def channel_id(self, ref: str) -> str:
        """The conversation id for a channel id, user id (DM) or name; KeyError if unknown."""
        try:
            return self._channel(ref).id
        except _Fail as exc:
            raise KeyError(ref) from exc

    # -- what tests read -----------------------------------------------------------------

    def messages(self, channel: str) -> list[Message]:
        """Every message in a conversation (top level and thread replies) in posting order,
        deleted ones included (see ``Message.deleted``)."""
        return list(self._messages.get(self.channel_id(channel), []))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The parent and its replies in order, like conversations.replies."""
        return [m for m in self.messages(channel) if m.ts == thread_ts or m.thread_ts == thread_ts]

    def ephemerals(
        self,
        channel: str | None = None,
        user: str | None = None,
    ) -> list[Ephemeral]:
        cid = self.channel_id(channel) if channel is not None else None
        return [
            e
            for e in self._ephemerals
            if (cid is None or e.channel == cid) and (user is None or e.user == user)
        ]

    def dms(self, user: str) -> list[Message]:
        """The bot's DM conversation with ``user``."""
        return self.messages(self.dm_channel(user))

    def open_view(self, user: str) -> View | None:
        """The top-most open modal of ``user``."""
        stack = self._stacks.get(user) or []
        return self.views[stack[-1]] if stack else None

    def view_stack(self, user: str) -> list[View]:
        return [self.views[v] for v in self._stacks.get(user) or []]

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab view last published for ``user``."""
        view_id = self._homes.get(user)
        return self.views[view_id].view if view_id else None

    def home_view(self, user: str) -> View | None:
        view_id = self._homes.get(user)
        return self.views[view_id] if view_id else None

    def find_message(self, channel: str, ts: str) -> Message | None:
        for message in self._messages.get(self.channel_id(channel), []):
            if message.ts == ts:
                return message
        return None

    # -- faults --------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a failure.

        429: ``Retry-After`` header and ``ratelimited``; 200: ``{"ok": false, "error": error}``
        (default ``fatal_error``); 5xx: that status with ``internal_error``.
        """
        if error is None:
            error = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
        self._faults.setdefault(method, deque()).append(_Fault(status, retry_after, error, times))

    def delay_next(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        applied: bool = True,
        match: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` of real time, for
        tests that stop the bot while Slack is busy with its request.

        ``applied=True``: Slack does the work at once and only the answer is late (the bot
        may never learn that its message was posted). ``applied=False``: the request waits,
        and if the bot hangs up meanwhile it is dropped as if it never reached Slack.
        ``match``: only calls whose arguments it accepts are held (and counted).
        """
        self._delays.setdefault(method, deque()).append(_Delay(seconds, applied, times, match))

    def disconnect_next(self, method: str, times: int = 1) -> None:
        """Drop the connection of the next ``times`` calls of ``method`` without an answer
        (and without doing them), as a load balancer resetting a connection does."""
        self._hang_ups[method] = self._hang_ups.get(method, 0) + times

    def _take_delay(self, method: str, args: dict[str, Any]) -> _Delay | None:
        queue = self._delays.get(method)
        if not queue or (queue[0].match is not None and not queue[0].match(args)):
            return None
        return _take_one(queue)

    def rate_limit(self, method: str, per_minute: int, per_channel: bool = True) -> None:
        """Allow ``per_minute`` calls of ``method`` in any 60 s of ``now()`` (per channel when
        ``per_channel``); beyond that answer 429 with ``Retry-After``, like Slack's tiers."""
        self._limits[method] = _RateLimit(per_minute, per_channel)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        return _take_one(queue)

    def _rate_limited(self, method: str, args: Mapping[str, Any]) -> int | None:
        """Seconds to wait if this call is over the limit, else None (and count the call)."""
        limit = self._limits.get(method)
        if limit is None:
            return None
        key = str(args.get("channel") or "") if limit.per_channel else None
        hits = limit.hits.setdefault(key, deque())
        now = self.epoch()
        while hits and hits[0] <= now - RATE_WINDOW:
            hits.popleft()
        if len(hits) >= limit.per_minute:
            return max(1, math.ceil(hits[0] + RATE_WINDOW - now))
        hits.append(now)
        return None

    # -- installing the app (OAuth v2) ---------------------------------------------------

    def oauth_app(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        """The app's credentials and its configured Redirect URL, as on api.slack.com/apps."""
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uri = redirect_uri

    def add_workspace(self, team_id: str, name: str, domain: str | None = None) -> None:
        """Another workspace that may install the app (users and channels stay shared)."""
        domain = domain or team_id.lower()
        self.workspaces[team_id] = {"id": team_id, "name": name, "domain": domain}

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: its bot tokens stop working at once (Slack then
        sends the app `app_uninstalled` and `tokens_revoked`; a driver delivers those)."""
        for token, team in list(self._token_teams.items()):
            if team == team_id:
                self._tokens.pop(token, None)

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """Slack's consent page, already approved: ``team`` (default: this emulator's) and
        ``user`` (the installer) choose who approves; redirects back with a code."""
        query = request.query
        if self.client_id is None or query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = query.get("redirect_uri") or self.redirect_uri
        if not redirect or (self.redirect_uri and redirect != self.redirect_uri):
            return web.Response(status=400, text="bad_redirect_uri")
        team = query.get("team") or self.team_id
        if team not in self.workspaces:
            return web.Response(status=400, text="unknown team")
        installer = query.get("user") or next(
            (u for u, info in self.users.items() if not info.get("is_bot")), self.bot_user_id
        )
        code = secrets.token_hex(12)
        self._grants[code] = _Grant(team, installer, query.get("scope", ""), redirect)
        location = f"{redirect}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        raise web.HTTPFound(location)

    def _oauth_v2_access(self, args: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        """Exchanges a code for the workspace's bot token (client credentials in the form or
        in HTTP Basic auth, as slack_sdk sends them)."""
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                return 200, {"ok": False, "error": "invalid_client_id"}
            client_id, _, client_secret = decoded.partition(":")
        if self.client_id is None or client_id != self.client_id:
            return 200, {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return 200, {"ok": False, "error": "bad_client_secret"}
        grant = self._grants.pop(str(args.get("code") or ""), None)
        if grant is None:
            return 200, {"ok": False, "error": "invalid_code"}
        if args.get("redirect_uri") and args["redirect_uri"] != grant.redirect_uri:
            return 200, {"ok": False, "error": "bad_redirect_uri"}
        token = f"xoxb-{grant.team_id}-{secrets.token_hex(8)}"
        self._tokens[token] = self.bot_user_id
        self._token_teams[token] = grant.team_id
        team = self.workspaces[grant.team_id]
        return 200, {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": grant.user_id},
            "scope": grant.scope,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": team["id"], "name": team["name"]},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # -- triggers and response URLs ------------------------------------------------------

    def new_trigger_id(self, user: str) -> str:
        """A trigger_id as Slack puts in an interaction payload, valid for 3 s of ``now()``."""
        number = self._next_number()
        digest = hashlib.sha1(f"trigger:{number}".encode()).hexdigest()[:32]
        trigger_id = f"{number}.{int(self.epoch())}.{digest}"
        self._triggers[trigger_id] = _Trigger(trigger_id, user, self.epoch())
        return trigger_id

    def new_response_url(
        self, channel: str, user: str, message_ref: Message | Ephemeral | None = None
    ) -> str:
        """A response_url for an interaction by ``user`` in ``channel``; ``message_ref`` is the
        message the interaction came from (what replace_original/delete_original act on)."""
        number = self._next_number()
        token = f"{self.team_id}-{number}-{hashlib.sha1(f'ru:{number}'.encode()).hexdigest()[:24]}"
        self._response_urls[token] = _ResponseUrl(
            token, self.channel_id(channel), user, message_ref, self.epoch()
        )
        return f"{self.url}/response/{token}"

    def _exchange_trigger(self, trigger_id: Any, *, consume: bool) -> _Trigger:
        trigger = self._triggers.get(str(trigger_id)) if trigger_id else None
        if trigger is None:
            raise _Fail("invalid_trigger_id")
        if trigger.used:
            raise _Fail("exchanged_trigger_id")
        if self.epoch() - trigger.issued > TRIGGER_TTL:
            raise _Fail("expired_trigger_id")
        if consume:
            trigger.used = True
        return trigger

    # -- problems ------------------------------------------------------------------------

    def _record(self, where: str, problems: list[Problem]) -> list[Problem]:
        """Add problems to ``self.problems``; return the errors (warnings only recorded)."""
        self.problems.extend(f"{where}: {p}" for p in problems)
        return [p for p in problems if not p.is_warning]

    def report_problem(self, where: str, problem: str) -> None:
        """Record something the bot did that Slack would not accept (used by the driver)."""
        self.problems.append(f"{where}: {problem}")

    def _check_message(self, where: str, payload: Mapping[str, Any], *, status: int = 200) -> None:
        errors = self._record(where, message_problems(payload))
        if not errors or not self.validate:
            return
        texts = [str(p) for p in errors]
        if any(p.pointer.startswith("/blocks") for p in errors):
            raise _Fail(
                "invalid_blocks",
                status=status,
                errors=texts,
                response_metadata={"messages": [f"[ERROR] {t}" for t in texts]},
            )
        if any(p.pointer == "/text" for p in errors):
            raise _Fail("msg_too_long", status=status)
        raise _Fail("no_text", status=status)

    def _check_view(self, where: str, view: Any) -> None:
        errors = self._record(where, view_problems(view))
        if errors and self.validate:
            raise _Fail(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {p}" for p in errors]},
            )

    # -- HTTP: Web API -------------------------------------------------------------------

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return args
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError as exc:
                raise _Fail("invalid_json") from exc
            if not isinstance(body, dict):
                raise _Fail("invalid_json")
            args.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    args[key] = value
        return args

    def _decode_json_fields(self, args: dict[str, Any]) -> None:
        for key in _JSON_FIELDS:
            value = args.get(key)
            if isinstance(value, str) and value.strip():
                try:
                    args[key] = json.loads(value)
                except json.JSONDecodeError as exc:
                    code = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
                    raise _Fail(code) from exc

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = ApiCall(method=method, args={}, at=self.epoch())
        self.calls.append(call)
        headers: dict[str, str] = {}
        delay: _Delay | None = None
        try:
            args = await self._read_args(request)
            token = args.pop("token", None)
            auth = request.headers.get("Authorization", "")
            if auth.lower().startswith("bearer "):
                token = auth[7:].strip()
            call.args = args
            call.team = self._token_teams.get(token or "")
            self._decode_json_fields(args)
            if self._hang_ups.get(method) and request.transport is not None:
                self._hang_ups[method] -= 1
                call.dropped, call.error, call.http_status = True, "connection_reset", 0
                request.transport.close()
                return web.Response(status=500)
            delay = self._take_delay(method, args)
            if delay is not None and not delay.applied:
                call.held = delay.seconds
                await self.held_answers.wait(delay.seconds, request)
                if hung_up(request):
                    call.dropped, call.error = True, "client_gone"
                    return web.json_response({"ok": False, "error": "client_gone"}, status=499)
            if method == "oauth.v2.access":
                status, body = self._oauth_v2_access(args, auth)
            else:
                status, body, headers = self._dispatch(method, args, token)
        except _Fail as fail:
            status, body = fail.status, {"ok": False, "error": fail.error, **fail.extra}
        call.ok, call.error = bool(body.get("ok")), body.get("error")
        call.http_status, call.response = status, body
        if delay is not None and delay.applied:
            call.held = delay.seconds
            await self.held_answers.wait(delay.seconds, request)
        return web.json_response(body, status=status, headers=headers)

    def _dispatch(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        handler = self._methods.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if method in APP_LEVEL_METHODS:
            if token != self.app_token:
                error = "not_allowed_token_type" if token in self._tokens else "invalid_auth"
                return 200, {"ok": False, "error": error}, {}
        elif token == self.app_token:
            return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
        elif token not in self._tokens:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        fault = self._take_fault(method)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return fault.status, {"ok": False, "error": fault.error}, headers
        wait = self._rate_limited(method, args)
        if wait is not None:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
        try:
            data = self._auth_test(args, token) if method == "auth.test" else handler(args)
        except _Fail as fail:
            return fail.status, {"ok": False, "error": fail.error, **fail.extra}, {}
        return 200, {"ok": True, **data}, {}

    # -- messages ------------------------------------------------------------------------

    def _store(self, message: Message) -> Message:
        messages = self._messages.setdefault(message.channel, [])
        if message.thread_ts and message.thread_ts != message.ts:
            parent = next((m for m in messages if m.ts == message.thread_ts), None)
            if parent is None:
                self.report_problem(
                    "thread", f"thread_ts {message.thread_ts} is not a message in {message.channel}"
                )
            elif parent.is_reply:
                self.report_problem("thread", f"thread_ts {message.thread_ts} is itself a reply")
            else:
                parent.replies.append(message)
        messages.append(message)
        self._notify("message", message)
        return message

    def _bot_message(
        self,
        channel: str,
        text: str,
        blocks: Any,
        *,
        thread_ts: Any = None,
        files: list[dict[str, Any]] | None = None,
        attachments: Any = None,
        metadata: Any = None,
    ) -> Message:
        ts = self.next_ts()
        return self._store(
            Message(
                ts=ts,
                channel=channel,
                user=self.bot_user_id,
                text=text or "",
                blocks=_fill_ids(list(blocks or []), ts),
                thread_ts=str(thread_ts) if thread_ts else None,
                files=files or [],
                attachments=list(attachments or []),
                bot_id=self.bot_id,
                app_id=self.app_id,
                team=self.team_id,
                metadata=metadata if isinstance(metadata, dict) else None,
            )
        )

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> Message:
        """A message a person wrote (follow it with a ``message`` event through the driver)."""
        ts = self.next_ts()
        return self._store(
            Message(
                ts=ts,
                channel=self.channel_id(channel),
                user=user,
                text=text,
                blocks=_fill_ids(blocks or [], ts),
                thread_ts=thread_ts,
                team=self.team_id,
            )
        )

    def _post_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: Any,
        source: Literal["api", "response_url", "ack"],
        thread_ts: Any = None,
    ) -> Ephemeral:
        ts = self.next_ts()
        ephemeral = Ephemeral(
            ts=ts,
            channel=channel,
            user=user,
            text=text or "",
            blocks=_fill_ids(list(blocks or []), ts),
            source=source,
            thread_ts=str(thread_ts) if thread_ts else None,
        )
        self._ephemerals.append(ephemeral)
        self._notify("ephemeral", ephemeral)
        return ephemeral

    def _live_message(self, channel: Channel, ts: Any) -> Message:
        for message in self._messages.get(channel.id, []):
            if message.ts == ts and not message.deleted:
                return message
        raise _Fail("message_not_found")

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        self._check_message("chat.postMessage", args)
        message = self._bot_message(
            channel.id,
            args.get("text") or "",
            args.get("blocks"),
            thread_ts=args.get("thread_ts"),
            attachments=args.get("attachments"),
            metadata=args.get("metadata"),
        )
        return {"channel": channel.id, "ts": message.ts, "message": message.to_slack()}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        user = args.get("user")
        if not isinstance(user, str) or user not in self.users:
            raise _Fail("user_not_found")
        if channel.members and user not in channel.members:
            raise _Fail("user_not_in_channel")
        self._check_message("chat.postEphemeral", args)
        ephemeral = self._post_ephemeral(
            channel.id,
            user,
            args.get("text") or "",
            args.get("blocks"),
            "api",
            args.get("thread_ts"),
        )
        return {"message_ts": ephemeral.ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._live_message(channel, args.get("ts"))
        if message.user != self.bot_user_id:
            raise _Fail("cant_update_message")
        # Slack keeps the previous text/blocks when a field is left out.
        text = args["text"] if args.get("text") is not None else message.text
        blocks = args["blocks"] if args.get("blocks") is not None else message.blocks
        self._check_message(
            "chat.update", {"text": text, "blocks": blocks, "attachments": args.get("attachments")}
        )
        message.text = text or ""
        message.blocks = _fill_ids(list(blocks or []), f"{message.ts}:{message.edits + 1}")
        if args.get("attachments") is not None:
            message.attachments = list(args["attachments"])
        message.edits += 1
        message.edited_ts = self.next_ts()
        self._notify("message", message)
        return {
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_slack(),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._live_message(channel, args.get("ts"))
        if message.user != self.bot_user_id:
            raise _Fail("cant_delete_message")
        message.deleted = True
        self._notify("message", message)
        return {"channel": channel.id, "ts": message.ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._live_message(channel, args.get("message_ts"))
        base = self.permalink_base or f"https://{self.team_domain}.slack.com"
        link = f"{base}/archives/{channel.id}/p{message.ts.replace('.', '')}"
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # -- conversations, users, groups ----------------------------------------------------

    def _auth_test(self, args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Who the token is: the bot, in the workspace the token was issued for."""
        team = self.workspaces[self._token_teams.get(token or "", self.team_id)]
        return {
            "url": f"https://{team['domain']}.slack.com/",
            "team": team["name"],
            "user": self.bot_name,
            "team_id": team["id"],
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """A WebSocket URL for Socket Mode (the app-level token was checked in _dispatch)."""
        return {"url": self.socket_mode.open_url(self.app_token)}

    def _team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "",
                "icon": {"image_default": True},
            }
        }

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._channel(args["channel"])
        else:
            users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
            if not users:
                raise _Fail("users_list_not_supplied")
            if len(users) > 8:
                raise _Fail("too_many_users")
            existed = frozenset(u for u in users if u != self.bot_user_id) in self._ims
            channel = self._im_with(users)
            if not _flag(args.get("return_im")):
                out: dict[str, Any] = {"channel": {"id": channel.id}}
                if existed:
                    out.update(no_op=True, already_open=True)
                return out
        return {"channel": channel.to_slack()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel(args.get("channel")).to_slack()}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        page, cursor = _page(channel.members, args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}

        def kind(c: Channel) -> str:
            if c.is_im:
                return "im"
            if c.is_mpim:
                return "mpim"
            return "private_channel" if c.is_private else "public_channel"

        channels = [
            c.to_slack()
            for c in self.channels.values()
            if kind(c) in types and not (_flag(args.get("exclude_archived")) and c.is_archived)
        ]
        page, cursor = _page(channels, args)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _conversation(self, ref: Any) -> Channel:
        """A conversation by id, as conversations.history and .replies take it: a user id
        names no conversation there (channel_not_found); conversations.open gives its DM's."""
        if isinstance(ref, str) and ref[:1] in ("U", "W") and ref not in self.channels:
            raise _Fail("channel_not_found")
        return self._channel(ref)

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"))
        latest, oldest = args.get("latest"), args.get("oldest")
        top = [
            m
            for m in reversed(self._messages.get(channel.id, []))
            if not m.deleted
            and not m.is_reply
            and (not latest or _ts_key(m.ts) <= _ts_key(str(latest)))
            and (not oldest or _ts_key(m.ts) >= _ts_key(str(oldest)))
        ]
        page, cursor = _page(top, args)
        return {
            "messages": [m.to_slack() for m in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"))
        parent = self._live_message(channel, args.get("ts"))
        if parent.is_reply:
            parent = self._live_message(channel, parent.thread_ts)
        thread = [parent, *[r for r in parent.replies if not r.deleted]]
        page, cursor = _page(thread, args, default_limit=1000)
        return {
            "messages": [m.to_slack() for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user")
        if not isinstance(user, str) or user not in self.users:
            raise _Fail("user_not_found")
        return {"user": self.user(user)}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        page, cursor = _page([self.user(u) for u in self.users], args, default_limit=1000)
        return {
            "members": page,
            "cache_ts": int(self.epoch()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        groups = []
        for group in self.usergroups.values():
            out = copy.deepcopy(group)
            if not _flag(args.get("include_users")):
                out.pop("users")
            groups.append(out)
        return {"usergroups": groups}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.usergroups.get(str(args.get("usergroup")))
        if group is None:
            raise _Fail("no_such_subteam")
        return {"users": list(group["users"])}

    # -- views ---------------------------------------------------------------------------

    def _view_dict(
        self,
        view_id: str,
        spec: Mapping[str, Any],
        *,
        previous: str | None,
        root: str | None,
        state: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        view_hash = self._new_hash()
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec["type"],
            "blocks": _fill_ids(list(spec.get("blocks") or []), view_id + view_hash),
            "private_metadata": spec.get("private_metadata") or "",
            "callback_id": spec.get("callback_id") or "",
            "state": {"values": state or {}},
            "hash": view_hash,
            "title": copy.deepcopy(spec.get("title")),
            "clear_on_close": _flag(spec.get("clear_on_close")),
            "notify_on_close": _flag(spec.get("notify_on_close")),
            "close": copy.deepcopy(spec.get("close")),
            "submit": copy.deepcopy(spec.get("submit")),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "external_id": spec.get("external_id") or "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _new_view(
        self,
        user: str,
        spec: Mapping[str, Any],
        *,
        previous: str | None = None,
        root: str | None = None,
    ) -> View:
        view_id = self.new_id("V")
        view = View(view_id, user, self._view_dict(view_id, spec, previous=previous, root=root))
        self.views[view_id] = view
        self._notify("view", view)
        return view

    def _replace_view(self, view: View, spec: Mapping[str, Any]) -> None:
        """views.update / response_action update: same id, new content and hash; values the
        user typed survive where block_id and action_id are unchanged (as in Slack)."""
        old_state = view.view.get("state", {}).get("values", {})
        fresh = self._view_dict(
            view.id, spec, previous=view.previous_view_id, root=view.root_view_id
        )
        kept = _state_ids(fresh["blocks"])
        fresh["state"]["values"] = {
            b: {a: v for a, v in actions.items() if (b, a) in kept}
            for b, actions in old_state.items()
            if any((b, a) in kept for a in actions)
        }
        view.view = fresh
        view.errors = None
        self._notify("view", view)

    def _modal_spec(self, where: str, args: Mapping[str, Any]) -> dict[str, Any]:
        spec = args.get("view")
        self._check_view(where, spec)
        if not isinstance(spec, dict):
            raise _Fail("invalid_arguments")
        if spec.get("type") != "modal":
            raise _Fail(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] view type must be modal [json-pointer:/view/type]"]
                },
            )
        return spec

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._exchange_trigger(args.get("trigger_id"), consume=False)
        spec = self._modal_spec("views.open", args)
        trigger = self._exchange_trigger(args.get("trigger_id"), consume=True)
        for view_id in self._stacks.get(trigger.user, []):
            self.views[view_id].open = False
        view = self._new_view(trigger.user, spec)
        self._stacks[trigger.user] = [view.id]
        return {"view": view.view}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._exchange_trigger(args.get("trigger_id"), consume=False)
        spec = self._modal_spec("views.push", args)
        trigger = self._exchange_trigger(args.get("trigger_id"), consume=True)
        return {"view": self.push_view(trigger.user, spec).view}

    def push_view(self, user: str, spec: Mapping[str, Any]) -> View:
        """Put a modal on top of the user's stack (views.push, response_action push)."""
        stack = self._stacks.setdefault(user, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise _Fail("push_limit_reached")
        if not stack:
            self.report_problem("views.push", f"no modal is open for {user}: use views.open")
        view = self._new_view(
            user, spec, previous=stack[-1] if stack else None, root=stack[0] if stack else None
        )
        stack.append(view.id)
        return view

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view: View | None = None
        if args.get("view_id"):
            view = self.views.get(str(args["view_id"]))
        elif args.get("external_id"):
            view = next(
                (
                    v
                    for v in self.views.values()
                    if v.open and v.view.get("external_id") == args["external_id"]
                ),
                None,
            )
        if view is None or not view.open:
            raise _Fail("not_found")
        if args.get("hash") and args["hash"] != view.hash:
            raise _Fail("hash_conflict")
        spec = args.get("view")
        self._check_view("views.update", spec)
        if not isinstance(spec, dict) or spec.get("type") != view.type:
            raise _Fail("invalid_arguments")
        self._replace_view(view, spec)
        return {"view": view.view}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user_id")
        if not isinstance(user, str) or user not in self.users:
            raise _Fail("user_not_found")
        spec = args.get("view")
        self._check_view("views.publish", spec)
        if not isinstance(spec, dict) or spec.get("type") != "home":
            raise _Fail(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] view type must be home [json-pointer:/view/type]"]
                },
            )
        existing = self.home_view(user)
        if existing is not None:
            if args.get("hash") and args["hash"] != existing.hash:
                raise _Fail("hash_conflict")
            self._replace_view(existing, spec)
            return {"view": existing.view}
        view = self._new_view(user, spec)
        self._homes[user] = view.id
        return {"view": view.view}

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close a modal (and those above it); ``clear`` closes the user's whole stack."""
        view = self.views[view_id]
        stack = self._stacks.get(view.user, [])
        if view_id not in stack:
            return
        cut = 0 if clear else stack.index(view_id)
        for closed in stack[cut:]:
            self.views[closed].open = False
            self._notify("view", self.views[closed])
        del stack[cut:]

    def apply_view_response(self, view: View, status: int, body: Any) -> None:
        """Do what Slack does with the bot's answer to a view_submission.

        Empty 200 closes the modal; ``response_action`` errors / update / push / clear act as
        documented; anything else leaves the modal open with Slack's generic error (and is
        recorded as a problem).
        """
        where = f"view_submission ack ({view.callback_id or view.id})"
        if status != 200:
            self.report_problem(
                where,
                f"{f'HTTP {status}' if status else 'no ack'}: Slack shows 'We had some trouble"
                " connecting' and keeps the modal open",
            )
            return
        if body is None or body == "":
            self.close_view(view.id)
            return
        if not isinstance(body, dict):
            self.report_problem(where, f"body is not a JSON object: {body!r}")
            return
        action = body.get("response_action")
        if action == "errors":
            errors = body.get("errors")
            inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
            if not isinstance(errors, dict) or not errors:
                self.report_problem(where, "response_action errors needs an errors object")
                return
            for block_id in errors:
                if block_id not in inputs:
                    self.report_problem(
                        where,
                        f"errors names {block_id!r}, which is not an input block of this view",
                    )
            view.errors = {str(k): str(v) for k, v in errors.items()}
            self._notify("view", view)
        elif action in ("update", "push"):
            spec = body.get("view")
            problems = self._record(f"{where} {action}", view_problems(spec))
            if problems or not isinstance(spec, dict) or spec.get("type") != "modal":
                if not problems:
                    self.report_problem(where, f"response_action {action} needs a modal view")
                return
            if action == "update":
                self._replace_view(view, spec)
            else:
                try:
                    self.push_view(view.user, spec)
                except _Fail:
                    self.report_problem(where, "push_limit_reached: at most 3 modals")
        elif action == "clear":
            self.close_view(view.id, clear=True)
        else:
            self.report_problem(where, f"unknown response_action {action!r}")

    def set_view_value(
        self, view_id: str, block_id: str, action_id: str, value: dict[str, Any]
    ) -> None:
        """Record what the user entered in a modal element (kept in ``view.state.values``)."""
        values = self.views[view_id].view.setdefault("state", {}).setdefault("values", {})
        values.setdefault(block_id, {})[action_id] = value

    # -- response URLs -------------------------------------------------------------------

    def deliver_ack_response(self, channel: str, user: str, body: Any) -> None:
        """Show a slash command's ack body as Slack does (ephemeral unless in_channel)."""
        payload = body if isinstance(body, dict) else {"text": str(body)}
        with contextlib.suppress(_Fail):  # an invalid body is already in self.problems
            self._apply_response(self.channel_id(channel), user, None, payload, "ack")

    def _apply_response(
        self,
        channel: str,
        user: str,
        target: Message | Ephemeral | None,
        payload: Mapping[str, Any],
        source: Literal["response_url", "ack"],
    ) -> None:
        if _flag(payload.get("delete_original")):
            if target is None or target.deleted:
                raise _Fail("message_not_found", status=404)
            target.deleted = True
            self._notify("ephemeral" if isinstance(target, Ephemeral) else "message", target)
            return
        self._check_message(source, payload, status=400)
        text, blocks = payload.get("text") or "", list(payload.get("blocks") or [])
        if _flag(payload.get("replace_original")) and target is not None:
            if target.deleted:
                raise _Fail("message_not_found", status=404)
            target.text = text
            target.blocks = _fill_ids(blocks, f"{target.ts}:{target.edits + 1}")
            target.edits += 1
            if isinstance(target, Ephemeral):
                target.replaced = True
                self._notify("ephemeral", target)
            else:
                target.edited_ts = self.next_ts()
                self._notify("message", target)
        elif payload.get("response_type") == "in_channel":
            self._bot_message(
                channel,
                text,
                blocks,
                thread_ts=payload.get("thread_ts"),
                attachments=payload.get("attachments"),
            )
        else:
            self._post_ephemeral(channel, user, text, blocks, source, payload.get("thread_ts"))

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        call = ApiCall(method="response_url", args={}, at=self.epoch())
        self.calls.append(call)
        raw = await request.text()
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            payload = None
        call.args = payload if isinstance(payload, dict) else {"raw": raw}
        status, text = self._respond_via_url(token, payload)
        call.ok, call.http_status, call.response = status == 200, status, text
        call.error = None if status == 200 else text
        return web.Response(status=status, text=text, content_type="text/plain")

    def _respond_via_url(self, token: str, payload: Any) -> tuple[int, str]:
        entry = self._response_urls.get(token)
        if entry is None:
            return 404, "no_service"
        if self.epoch() - entry.issued > RESPONSE_URL_TTL:
            return 404, "expired_url"
        if entry.uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        if not isinstance(payload, dict):
            self.report_problem("response_url", "body is not a JSON object")
            return 400, "invalid_payload"
        try:
            self._apply_response(entry.channel, entry.user, entry.target, payload, "response_url")
        except _Fail as fail:
            return fail.status if fail.status != 200 else 400, fail.error
        entry.uses += 1
        return 200, "ok"

    # -- files ---------------------------------------------------------------------------

    def _new_file(
        self, name: str, user: str, *, title: str | None = None, filetype: str | None = None
    ) -> SlackFile:
        file_id = self.new_id("F")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return SlackFile(
            id=file_id,
            name=name,
            title=title or name,
            filetype=filetype or extension or "binary",
            mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
            user=user,
            created=int(self.epoch()),
            url_private=f"{self.url}/files/{file_id}",
        )

    def _share(self, file: SlackFile, channel: Channel, ts: str) -> None:
        if channel.id not in file.channels:
            file.channels.append(channel.id)
        scope = "private" if channel.is_private or channel.is_im or channel.is_mpim else "public"
        file.shares.setdefault(scope, {}).setdefault(channel.id, []).append(
            {
                "ts": ts,
                "channel_name": channel.name,
                "reply_users": [],
                "reply_count": 0,
                "team_id": self.team_id,
            }
        )

    def share_file(
        self,
        user: str,
        channel: str,
        name: str,
        content: bytes,
        filetype: str = "csv",
        *,
        title: str | None = None,
        initial_comment: str = "",
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """A person uploads a file into a conversation: stores the file and the message that
        carries it, and returns the file object (send ``file_shared`` through the driver)."""
        target = self._channel(channel)
        file = self._new_file(name, user, title=title, filetype=filetype)
        file.content = bytes(content)
        file.length = len(file.content)
        self.files[file.id] = file
        ts = self.next_ts()
        self._share(file, target, ts)
        self._store(
            Message(
                ts=ts,
                channel=target.id,
                user=user,
                text=initial_comment,
                thread_ts=thread_ts,
                files=[file.to_slack()],
                team=self.team_id,
            )
        )
        self._notify("file", file)
        return file.to_slack()

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = args.get("filename")
        try:
            length = int(args.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise _Fail("invalid_arguments") from exc
        if not filename:
            raise _Fail("invalid_arguments")
        file = self._new_file(str(filename), self.bot_user_id)
        file.length = length
        self.files[file.id] = file
        return {"upload_url": f"{self.url}/upload/{file.id}", "file_id": file.id}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file = self.files.get(request.match_info["file_id"])
        call = ApiCall(
            method="upload", args={"file_id": request.match_info["file_id"]}, at=self.epoch()
        )
        self.calls.append(call)
        if file is None:
            call.http_status, call.error = 404, "file_not_found"
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            data = await part.read(decode=False) if part is not None else b""  # type: ignore[union-attr]
        else:
            data = await request.read()
        file.content = bytes(data)
        if file.length is not None and file.length != len(data):
            self.report_problem(
                "upload", f"{file.name}: declared length {file.length}, uploaded {len(data)} bytes"
            )
        call.args["bytes"] = len(data)
        call.ok, call.response = True, f"OK - {len(data)}"
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise _Fail("invalid_arguments")
        files: list[SlackFile] = []
        for item in items:
            file = self.files.get(str(item.get("id"))) if isinstance(item, dict) else None
            if file is None or file.content is None:
                raise _Fail("file_not_found")
            if item.get("title"):
                file.title = str(item["title"])
            files.append(file)
        targets: list[Channel] = []
        if args.get("channel_id"):
            targets.append(self._channel(args["channel_id"]))
        for ref in str(args.get("channels") or "").split(","):
            if ref.strip():
                targets.append(self._channel(ref.strip()))
        comment = args.get("initial_comment") or ""
        for channel in targets:
            ts = self.next_ts()
            for file in files:
                self._share(file, channel, ts)
            self._store(
                Message(
                    ts=ts,
                    channel=channel.id,
                    user=self.bot_user_id,
                    text=comment,
                    thread_ts=args.get("thread_ts") or None,
                    files=[f.to_slack() for f in files],
                    bot_id=self.bot_id,
                    app_id=self.app_id,
                    team=self.team_id,
                )
            )
        for file in files:
            self._notify("file", file)
        return {"files": [f.to_slack() for f in files]}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file = self.files.get(str(args.get("file")))
        if file is None or file.content is None:
            raise _Fail("file_not_found")
        return {"file": file.to_slack(), "comments": [], "response_metadata": {"next_cursor": ""}}

    async def _handle_download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        call = ApiCall(method="download", args={"file_id": file_id}, at=self.epoch())
        self.calls.append(call)
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        file = self.files.get(file_id)
        if token not in self._tokens:
            call.http_status, call.error = 403, "not_authed"
            return web.Response(status=403, text="not_authed", content_type="text/plain")
        if file is None or file.content is None:
            call.http_status, call.error = 404, "file_not_found"
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        call.ok = True
        return web.Response(
            body=file.content,
            content_type=file.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{file.name}"'},
        )

    # -- reactions -----------------------------------------------------------------------

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._live_message(self._channel(args.get("channel")), args.get("timestamp"))
        name = str(args.get("name") or "").strip(":")
        if not name:
            raise _Fail("invalid_name")
        users = message.reactions.setdefault(name, [])
        if self.bot_user_id in users:
            raise _Fail("already_reacted")
        users.append(self.bot_user_id)
        self._notify("message", message)
        return {}

    def _reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._live_message(self._channel(args.get("channel")), args.get("timestamp"))
        name = str(args.get("name") or "").strip(":")
        users = message.reactions.get(name, [])
        if self.bot_user_id not in users:
            raise _Fail("no_reaction")
        users.remove(self.bot_user_id)
        if not users:
            del message.reactions[name]
        self._notify("message", message)
        return {}
