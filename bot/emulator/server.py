"""A local stand-in for Slack's Web API, response URLs and file hosting: ``SlackEmulator``.

The bot talks to it exactly as it talks to Slack: ``AsyncWebClient(base_url=em.api_url)`` for
the Web API, the ``response_url`` and ``trigger_id`` that the driver hands out in payloads,
and the upload and download URLs of files. Every call is recorded, the resulting workspace
state (messages, ephemerals, modals, Home tabs, files) can be inspected, and every payload is
checked against Block Kit's rules so a test fails where Slack would have refused. This module
builds the emulator, its routes and the dispatch of Web API methods, seeds the workspace and
answers tests' questions; each family of methods is a mixin of its own (``slack_chat``,
``slack_conversations``, ``slack_views``, ``slack_responses``, ``slack_files``,
``slack_oauth``, ``slack_faults``) on the shared state of ``slack_workspace``, and the records
are in ``slack_records``.

It never sleeps: time comes from an injectable ``now`` clock, so trigger expiry, rate limits
and ``Retry-After`` can be tested without waiting. Behaviour that the bot relies on follows
Slack's documentation; where Slack's documented answer and convenience differ, Slack wins.
"""

from __future__ import annotations

import copy
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from bot.emulator.faults import hung_up
from bot.emulator.http import Clock
from bot.emulator.slack_chat import SlackChat
from bot.emulator.slack_conversations import SlackConversations
from bot.emulator.slack_faults import PlannedDelay, PlannedFault, RateLimit, SlackFaults
from bot.emulator.slack_files import SlackFiles
from bot.emulator.slack_oauth import OAuthGrant, SlackOAuth
from bot.emulator.slack_records import (
    PSEUDO_METHODS,
    ApiCall,
    Channel,
    Ephemeral,
    Message,
    SlackFailure,
    SlackFile,
    View,
    fill_ids,
)
from bot.emulator.slack_responses import ResponseUrl, SlackResponses
from bot.emulator.slack_views import SlackViews, Trigger
from bot.emulator.slack_workspace import Listener
from bot.emulator.socket_mode import SocketMode

__all__ = [
    "PSEUDO_METHODS",
    "ApiCall",
    "Channel",
    "Ephemeral",
    "Message",
    "SlackEmulator",
    "SlackFile",
    "View",
]

APP_LEVEL_METHODS = frozenset({"apps.connections.open"})
"""Methods that take the app-level token (``xapp-``) and no other; it works for nothing else."""

_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")


# -- the emulator --------------------------------------------------------------------------


class SlackEmulator(
    SlackChat,
    SlackConversations,
    SlackViews,
    SlackResponses,
    SlackFiles,
    SlackOAuth,
    SlackFaults,
):
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
        self._triggers: dict[str, Trigger] = {}
        self._acking: dict[str, list[dict[str, Any]]] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._faults: dict[str, deque[PlannedFault]] = {}
        self._delays: dict[str, deque[PlannedDelay]] = {}
        self._hang_ups: dict[str, int] = {}
        # Installing the app into workspaces (OAuth): the app's credentials, the workspaces
        # that may install it, codes waiting to be exchanged, and which team a token is for.
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self.redirect_uri: str | None = None
        self.workspaces: dict[str, dict[str, str]] = {
            team_id: {"id": team_id, "name": team_name, "domain": team_domain}
        }
        self._grants: dict[str, OAuthGrant] = {}
        self._token_teams: dict[str, str] = {bot_token: team_id}
        self._limits: dict[str, RateLimit] = {}
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
                blocks=fill_ids(blocks or [], ts),
                thread_ts=thread_ts,
                team=self.team_id,
            )
        )

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

    def find_message(self, channel: str, ts: str) -> Message | None:
        for message in self._messages.get(self.channel_id(channel), []):
            if message.ts == ts:
                return message
        return None

    # -- HTTP: Web API -------------------------------------------------------------------

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return args
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError as exc:
                raise SlackFailure("invalid_json") from exc
            if not isinstance(body, dict):
                raise SlackFailure("invalid_json")
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
                    raise SlackFailure(code) from exc

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = ApiCall(method=method, args={}, at=self.epoch())
        self.calls.append(call)
        headers: dict[str, str] = {}
        delay: PlannedDelay | None = None
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
        except SlackFailure as fail:
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
        except SlackFailure as fail:
            return fail.status, {"ok": False, "error": fail.error, **fail.extra}, {}
        return 200, {"ok": True, **data}, {}
