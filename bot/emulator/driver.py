"""Slack's side of the conversation: the signed requests Slack sends to the bot.

``SlackDriver`` plays a person using Slack. It sends slash commands, button clicks, select
changes, modal submissions and Events API callbacks to the bot's request URL, shaped and
signed exactly as Slack does, with the ``response_url`` and ``trigger_id`` coming from the
``SlackEmulator`` so that what the bot does next lands in the emulator. It also does Slack's
part after the ack: a command's ack body is shown to the user, a modal's ``response_action``
is applied, and an ack that is late (over 3 s) or not 200 is recorded as a problem.

With ``socket_mode=True`` the same payloads travel as Socket Mode envelopes instead, over the
emulator's WebSocket connections (``em.socket_mode``) to whichever connected app instance's
turn it is; the ack's payload plays the part of the HTTP answer's body.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode

import aiohttp

from bot.emulator.server import Ephemeral, Message, SlackEmulator, View
from bot.emulator.socket_mode import Envelope, EnvelopeType, Retry

Settle = Callable[[], Awaitable[None]]
Container = Message | Ephemeral | View


class Where(TypedDict, total=False):
    """Where ``click`` and ``select`` look for an element, as a person would: in ``channel``
    (its messages and the user's own ephemerals), in ``message``, in the user's open modal
    (``in_view``), in ``view`` or in their Home tab (``in_home``)."""

    channel: str | None
    message: Message | Ephemeral | None
    in_view: bool
    view: View | None
    in_home: bool


ACK_DEADLINE_MS = 3000.0
_TEXTUAL = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_SINGLE_OPTION = frozenset({"static_select", "external_select", "radio_buttons"})
_MULTI_OPTION = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
_STATELESS = frozenset({"button", "overflow", "image", "workflow_button"})
_SELECTED_KEY = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
_INITIAL_KEY = {
    "users_select": "initial_user",
    "multi_users_select": "initial_users",
    "conversations_select": "initial_conversation",
    "multi_conversations_select": "initial_conversations",
    "channels_select": "initial_channel",
    "multi_channels_select": "initial_channels",
    "datepicker": "initial_date",
    "timepicker": "initial_time",
    "datetimepicker": "initial_date_time",
}


@dataclass
class Ack:
    """The bot's answer to one request from Slack: its HTTP response, or in Socket Mode its
    ack (status 200 with the ack's payload as ``json`` and ``text``; status 0 if none came)."""

    status: int
    text: str
    json: Any | None
    headers: dict[str, str]
    elapsed_ms: float
    sent: dict[str, Any] = field(default_factory=dict)
    """What was sent: the command's form fields, the interaction payload or event envelope."""
    envelope: Envelope | None = None
    """Socket Mode: the envelope, with the connection it went over and the ack as it came."""


@dataclass(frozen=True)
class _Match:
    """An element matched what was asked for (``option``: the overflow option chosen)."""

    option: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Hit:
    """An element found on screen: where it is and, for overflow menus, which option."""

    container: Container
    block: dict[str, Any]
    element: dict[str, Any]
    option: dict[str, Any] | None = None


Matcher = Callable[[dict[str, Any], dict[str, Any]], _Match | None]


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")).strip() if isinstance(obj, Mapping) else ""


def _elements(blocks: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every interactive element with its block, in screen order."""
    for block in blocks:
        if block.get("type") == "actions":
            for element in block.get("elements") or []:
                yield block, element
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            yield block, block["accessory"]
        elif block.get("type") == "input" and isinstance(block.get("element"), dict):
            yield block, block["element"]


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _initial_entry(element: Mapping[str, Any]) -> dict[str, Any]:
    """The state value Slack reports for an element the user has not touched."""
    kind = element["type"]
    entry: dict[str, Any] = {"type": kind}
    if kind in _TEXTUAL:
        entry["value"] = element.get("initial_value")
    elif kind in _SINGLE_OPTION:
        entry["selected_option"] = copy.deepcopy(element.get("initial_option"))
    elif kind in _MULTI_OPTION:
        entry["selected_options"] = copy.deepcopy(element.get("initial_options") or [])
    elif kind in _SELECTED_KEY:
        initial = element.get(_INITIAL_KEY[kind])
        multi = kind.startswith("multi_")
        entry[_SELECTED_KEY[kind]] = list(initial or []) if multi else initial
    elif kind == "rich_text_input":
        entry["rich_text_value"] = copy.deepcopy(element.get("initial_value"))
    elif kind == "file_input":
        entry["files"] = []
    return entry


def _is_empty(entry: Mapping[str, Any]) -> bool:
    values = [v for k, v in entry.items() if k != "type"]
    return all(v in (None, "", [], {}) for v in values)


def _sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackDriver:
    """Sends the bot what Slack would send when a person uses the app.

    Every request is ``application/x-www-form-urlencoded`` (commands, interactions) or JSON
    (events), signed with ``signing_secret``. ``settle`` (if given) is awaited after every
    request so the test sees the bot's finished background work.
    """

    def __init__(
        self,
        em: SlackEmulator,
        app_url: str = "http://127.0.0.1:3000/slack/events",
        signing_secret: str = "s3cr3t",
        settle: Settle | None = None,
        *,
        verification_token: str = "legacy-verification-token",
        clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        team_id: str | None = None,
        socket_mode: bool = False,
    ) -> None:
        self.em = em
        self.socket_mode = socket_mode
        """Deliver as Socket Mode envelopes over ``em.socket_mode`` instead of HTTP requests."""
        self._team_id = team_id
        """Whose workspace the person is in (``em.add_workspace``); the emulator's by default."""
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.settle = settle
        self.verification_token = verification_token
        self.clock = clock
        """Signs requests; real time by default because Bolt rejects timestamps > 5 min off."""
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._message_state: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @staticmethod
    def escape(text: str) -> str:
        """What Slack sends for text a person typed: ``&``, ``<`` and ``>`` escaped."""
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    # -- transport -----------------------------------------------------------------------

    def sign(self, body: str, timestamp: str) -> str:
        """``X-Slack-Signature`` for a body sent at ``timestamp``."""
        return _sign(self.signing_secret, timestamp, body)

    async def post_raw(self, body: bytes | str, headers: Mapping[str, str]) -> Ack:
        """Send exactly this body and these headers (no signing): for forged requests."""
        self._http_only("post_raw")
        data = body.encode() if isinstance(body, str) else body
        return await self._post(data, dict(headers), sent={})

    async def _post(self, data: bytes, headers: dict[str, str], sent: dict[str, Any]) -> Ack:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        started = time.perf_counter()
        async with self._session.post(self.app_url, data=data, headers=headers) as response:
            text = await response.text()
            elapsed = (time.perf_counter() - started) * 1000
            parsed: Any | None = None
            if text.strip():
                try:
                    parsed = json.loads(text)
                except json.JSONDecodeError:
                    parsed = None
            ack = Ack(response.status, text, parsed, dict(response.headers), elapsed, sent)
        if self.settle is not None:
            await self.settle()
        return ack

    async def _send(
        self,
        body: str,
        content_type: str,
        sent: dict[str, Any],
        extra: Mapping[str, str] | None = None,
    ) -> Ack:
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.sign(body, timestamp),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra or {}),
        }
        ack = await self._post(body.encode(), headers, sent)
        self._check_ack(ack)
        return ack

    def _check_ack(self, ack: Ack) -> None:
        what = ack.sent.get("command") or ack.sent.get("type") or "request"
        if ack.status == 0:
            self.em.report_problem(
                f"ack of {what}",
                f"no ack within {self.timeout:g} s: Slack shows the person an error"
                " (and retries an event)",
            )
        elif ack.status != 200:
            self.em.report_problem(
                f"ack of {what}", f"HTTP {ack.status}: Slack treats a non-200 answer as a failure"
            )
        if ack.elapsed_ms > ACK_DEADLINE_MS:
            self.em.report_problem(
                f"ack of {what}",
                f"took {ack.elapsed_ms:.0f} ms: Slack gives up after 3 s (operation_timeout)",
            )

    async def _send_envelope(
        self, kind: EnvelopeType, payload: dict[str, Any], **retry: Unpack[Retry]
    ) -> Ack:
        """Socket Mode: the payload in an envelope to the next connected app instance; the
        ack's payload (where Slack takes one) stands for an HTTP answer's body."""
        started = time.perf_counter()
        envelope = await self.em.socket_mode.deliver(kind, payload, timeout=self.timeout, **retry)
        answer = envelope.response_payload
        ack = Ack(
            status=200 if envelope.acked else 0,
            text=json.dumps(answer) if answer is not None else "",
            json=answer,
            headers={},
            elapsed_ms=(
                envelope.elapsed_ms
                if envelope.elapsed_ms is not None
                else (time.perf_counter() - started) * 1000
            ),
            sent=payload,
            envelope=envelope,
        )
        if self.settle is not None:
            await self.settle()
        self._check_ack(ack)
        return ack

    def _http_only(self, what: str) -> None:
        if self.socket_mode:
            raise ValueError(f"{what} is HTTP only: Socket Mode has no request URL")

    async def _send_interaction(self, payload: dict[str, Any]) -> Ack:
        if self.socket_mode:
            return await self._send_envelope("interactive", payload)
        body = urlencode({"payload": json.dumps(payload)})
        return await self._send(body, "application/x-www-form-urlencoded", payload)

    # -- who and where -------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        return self._team_id or self.em.team_id

    @property
    def team_domain(self) -> str:
        workspace = self.em.workspaces.get(self.team_id)
        return workspace["domain"] if workspace else self.em.team_domain

    def _user(self, user: str) -> dict[str, Any]:
        if user not in self.em.users:
            raise KeyError(f"unknown user {user!r}: call em.add_user() first")
        name = self.em.users[user]["name"]
        return {"id": user, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _channel_ref(self, channel: str) -> dict[str, str]:
        conversation = self.em.channels[self.em.channel_id(channel)]
        if conversation.is_im:
            return {"id": conversation.id, "name": "directmessage"}
        return {"id": conversation.id, "name": conversation.name}

    def _common(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind,
            "user": self._user(user),
            "api_app_id": self.em.app_id,
            "token": self.verification_token,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # -- slash commands ------------------------------------------------------------------

    async def command(self, command: str, text: str = "", *, user: str, channel: str) -> Ack:
        """A person runs ``/command text`` in ``channel``; ``text`` is sent as given (Slack's
        wire format: use ``escape()`` for literal ``&<>``)."""
        channel_id = self.em.channel_id(channel)
        conversation = self.em.channels[channel_id]
        if conversation.is_im:
            channel_name = "directmessage"
        elif conversation.is_private and not conversation.is_mpim:
            channel_name = "privategroup"
        else:
            channel_name = conversation.name
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": self._user(user)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.em.app_id,
            "is_enterprise_install": "false",
            "response_url": self.em.new_response_url(channel_id, user),
            "trigger_id": self.em.new_trigger_id(user),
        }
        if self.socket_mode:
            ack = await self._send_envelope("slash_commands", fields)
        else:
            ack = await self._send(urlencode(fields), "application/x-www-form-urlencoded", fields)
        if ack.status == 200 and ack.text.strip():
            self.em.deliver_ack_response(
                channel_id, user, ack.json if isinstance(ack.json, dict) else ack.text
            )
        return ack

    # -- finding things on screen --------------------------------------------------------

    def _containers(
        self,
        user: str,
        channel: str | None = None,
        message: Container | None = None,
        in_view: bool = False,
        view: View | None = None,
        in_home: bool = False,
    ) -> list[Container]:
        """What the user can see (see ``Where``), newest first."""
        if view is not None:
            if not view.open:
                raise LookupError(f"view {view.id} is closed")
            return [view]
        if message is not None:
            return [message]
        if in_view:
            top = self.em.open_view(user)
            if top is None:
                raise LookupError(f"{user} has no open modal")
            return [top]
        if in_home:
            home = self.em.home_view(user)
            if home is None:
                raise LookupError(f"no Home tab was published for {user}")
            return [home]
        if channel is None:
            raise ValueError("say where: channel=, message=, view=, in_view=True or in_home=True")
        seen: list[Message | Ephemeral] = [m for m in self.em.messages(channel) if not m.deleted]
        seen += [e for e in self.em.ephemerals(channel, user) if not e.deleted]
        seen.sort(key=lambda m: tuple(int(p) for p in m.ts.split(".")), reverse=True)
        return list(seen)

    @staticmethod
    def _blocks(container: Container) -> list[dict[str, Any]]:
        return container.blocks

    def _find(self, containers: list[Container], match: Matcher, what: str) -> _Hit:
        seen: list[str] = []
        for container in containers:
            for block, element in _elements(self._blocks(container)):
                hit = match(block, element)
                if hit is not None:
                    return _Hit(container, block, element, hit.option)
                seen.append(self._describe(block, element))
        raise LookupError(f"no {what} on screen; visible elements: {seen}")

    @staticmethod
    def _describe(block: Mapping[str, Any], element: Mapping[str, Any]) -> str:
        label = _text_of(element.get("text")) or _text_of(element.get("placeholder"))
        if block.get("type") == "input":
            label = _text_of(block.get("label"))
        if element.get("type") == "overflow":
            label = "/".join(_text_of(o.get("text")) for o in element.get("options") or [])
        return f"{element.get('type')}:{label}"

    # -- block_actions -------------------------------------------------------------------

    async def click(self, label: str, *, user: str, **where: Unpack[Where]) -> Ack:
        """Click the newest button (or overflow option) labelled ``label`` that ``user``
        sees ``where``."""

        def match(block: dict[str, Any], element: dict[str, Any]) -> _Match | None:
            kind = element.get("type")
            if kind in ("button", "workflow_button") and _text_of(element.get("text")) == label:
                return _Match()
            if kind == "overflow":
                for option in element.get("options") or []:
                    if _text_of(option.get("text")) == label:
                        return _Match(option)
            return None

        containers = self._containers(user, **where)
        hit = self._find(containers, match, f"button {label!r}")
        action = self._action(hit.block, hit.element)
        if hit.element["type"] == "overflow":
            action["selected_option"] = copy.deepcopy(hit.option)
        else:
            action["text"] = copy.deepcopy(hit.element.get("text"))
            for key in ("value", "style", "url"):
                if key in hit.element:
                    action[key] = hit.element[key]
        return await self._block_actions(hit.container, user, action)

    async def select(
        self, label: str, choice: Any, *, user: str, **where: Unpack[Where]
    ) -> Ack | None:
        """Choose ``choice`` in the select, picker, checkbox or overflow menu named ``label``
        (its placeholder, its input block's label, or its section's text) that ``user`` sees
        ``where``.

        Like Slack, a change inside an input block without ``dispatch_action`` sends nothing
        (it is only kept for the submission): then this returns None.
        """

        def match(block: dict[str, Any], element: dict[str, Any]) -> _Match | None:
            if element.get("type") in ("button", "workflow_button", "image"):
                return None
            names = {_text_of(element.get("placeholder"))}
            if block.get("type") == "input":
                names.add(_text_of(block.get("label")))
            if block.get("type") == "section":
                names.add(_text_of(block.get("text")))
            return _Match() if label in names else None

        containers = self._containers(user, **where)
        hit = self._find(containers, match, f"select {label!r}")
        block, element = hit.block, hit.element
        if element["type"] == "overflow":
            action = self._action(block, element)
            action["selected_option"] = self._option(element, choice)
            return await self._block_actions(hit.container, user, action)
        entry = self.state_entry(element, choice)
        self._remember(hit.container, block, element, entry)
        if block.get("type") == "input" and not block.get("dispatch_action"):
            return None
        action = {**self._action(block, element), **{k: v for k, v in entry.items() if k != "type"}}
        if element.get("placeholder") is not None:
            action["placeholder"] = copy.deepcopy(element["placeholder"])
        return await self._block_actions(hit.container, user, action)

    # -- elements by id (the sandbox's page knows exactly which element was used) ---------

    async def act(
        self,
        container: Container,
        block_id: str,
        action_id: str,
        value: Any = None,
        *,
        user: str,
    ) -> Ack | None:
        """Use the element ``block_id``/``action_id`` of ``container`` as a person would.

        A button is pressed; an overflow menu picks the option ``value``; a select, picker,
        checkbox group or text input takes ``value`` (what ``select`` accepts). The payload is
        the one ``click`` and ``select`` send; like them, a change inside an input block
        without ``dispatch_action`` is only kept for the submission and returns None.
        """
        found = next(
            (
                (block, element)
                for block, element in _elements(self._blocks(container))
                if str(block.get("block_id")) == block_id
                and str(element.get("action_id")) == action_id
            ),
            None,
        )
        if found is None:
            raise LookupError(f"no element {block_id}/{action_id} in {self._name(container)}")
        block, element = found
        action = self._action(block, element)
        if element["type"] in ("button", "workflow_button"):
            action["text"] = copy.deepcopy(element.get("text"))
            for key in ("value", "style", "url"):
                if key in element:
                    action[key] = element[key]
            return await self._block_actions(container, user, action)
        if element["type"] == "overflow":
            action["selected_option"] = self._option(element, value)
            return await self._block_actions(container, user, action)
        entry = self.state_entry(element, value)
        self._remember(container, block, element, entry)
        if block.get("type") == "input" and not block.get("dispatch_action"):
            return None
        action.update((k, v) for k, v in entry.items() if k != "type")
        if element.get("placeholder") is not None:
            action["placeholder"] = copy.deepcopy(element["placeholder"])
        return await self._block_actions(container, user, action)

    def enter(self, view: View, values: Mapping[str, Any]) -> None:
        """Type into a modal's inputs without submitting, keyed by block_id (or label): what a
        person has entered so far, which Slack sends along with any block_actions from it."""
        inputs = [b for b in view.blocks if b.get("type") == "input"]
        for name, value in values.items():
            block = next((b for b in inputs if b.get("block_id") == name), None)
            block = block or self._input_block(view, name)
            element = block["element"]
            self._remember(view, block, element, self.state_entry(element, value))

    @staticmethod
    def _name(container: Container) -> str:
        if isinstance(container, View):
            return f"view {container.id}"
        return f"message {container.ts} in {container.channel}"

    def _action(self, block: Mapping[str, Any], element: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "action_id": element.get("action_id"),
            "block_id": block.get("block_id"),
            "type": element["type"],
            "action_ts": self.em.next_ts(),
        }

    def _remember(
        self,
        container: Container,
        block: Mapping[str, Any],
        element: Mapping[str, Any],
        entry: dict[str, Any],
    ) -> None:
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        if isinstance(container, View):
            self.em.set_view_value(container.id, block_id, action_id, entry)
        else:
            state = self._message_state.setdefault((container.channel, container.ts), {})
            state.setdefault(block_id, {})[action_id] = entry

    def state_of(self, container: Container) -> dict[str, dict[str, Any]]:
        """``state.values`` as Slack would send it: initial values overlaid with changes."""
        values: dict[str, dict[str, Any]] = {}
        for block, element in _elements(self._blocks(container)):
            if element.get("type") in _STATELESS:
                continue
            values.setdefault(str(block.get("block_id")), {})[str(element.get("action_id"))] = (
                _initial_entry(element)
            )
        if isinstance(container, View):
            changed = container.view.get("state", {}).get("values", {})
        else:
            changed = self._message_state.get((container.channel, container.ts), {})
        for block_id, actions in changed.items():
            for action_id, entry in actions.items():
                if action_id in values.get(block_id, {}):
                    values[block_id][action_id] = copy.deepcopy(entry)
        return values

    async def _block_actions(self, container: Container, user: str, action: dict[str, Any]) -> Ack:
        payload = self._common("block_actions", user)
        payload["trigger_id"] = self.em.new_trigger_id(user)
        if isinstance(container, View):
            payload["container"] = {"type": "view", "view_id": container.id}
            payload["view"] = {
                **copy.deepcopy(container.view),
                "state": {"values": self.state_of(container)},
            }
        else:
            ephemeral = isinstance(container, Ephemeral)
            payload["container"] = {
                "type": "message",
                "message_ts": container.ts,
                "channel_id": container.channel,
                "is_ephemeral": ephemeral,
            }
            if container.thread_ts:
                payload["container"]["thread_ts"] = container.thread_ts
            payload["channel"] = self._channel_ref(container.channel)
            if not ephemeral:
                payload["message"] = container.to_slack()
            payload["state"] = {"values": self.state_of(container)}
            payload["response_url"] = self.em.new_response_url(
                container.channel, user, message_ref=container
            )
        payload["actions"] = [action]
        return await self._send_interaction(payload)

    # -- values --------------------------------------------------------------------------

    def _option(self, element: Mapping[str, Any], choice: Any) -> dict[str, Any]:
        if isinstance(choice, Mapping):
            return dict(copy.deepcopy(choice))
        options = _options(element)
        for option in options:
            if _text_of(option.get("text")) == str(choice) or option.get("value") == str(choice):
                return copy.deepcopy(option)
        if element.get("type", "").endswith("external_select"):
            return {"text": {"type": "plain_text", "text": str(choice)}, "value": str(choice)}
        names = [_text_of(o.get("text")) for o in options]
        raise LookupError(f"no option {choice!r} in {element.get('type')}; options: {names}")

    def _user_id(self, value: Any) -> str:
        """A user id, or a user's name (``alice`` / ``@alice``) turned into their id."""
        name = str(value).lstrip("@")
        if str(value) in self.em.users:
            return str(value)
        for user_id, user in self.em.users.items():
            if user["name"] == name:
                return user_id
        raise LookupError(f"unknown user {value!r}")

    def state_entry(self, element: Mapping[str, Any], value: Any) -> dict[str, Any]:
        """The state value Slack reports after a person entered ``value`` in ``element``."""
        kind = element["type"]
        entry: dict[str, Any] = {"type": kind}
        many = list(value) if isinstance(value, list | tuple | set) else [value]
        if kind in _TEXTUAL:
            entry["value"] = None if value is None else str(value)
        elif kind in _SINGLE_OPTION:
            entry["selected_option"] = None if value is None else self._option(element, value)
        elif kind in _MULTI_OPTION:
            entry["selected_options"] = [self._option(element, v) for v in many if v is not None]
        elif kind in ("users_select", "multi_users_select"):
            users = [self._user_id(v) for v in many if v is not None]
            entry[_SELECTED_KEY[kind]] = (
                users if kind.startswith("multi") else (users[0] if users else None)
            )
        elif kind in (
            "conversations_select",
            "channels_select",
            "multi_conversations_select",
            "multi_channels_select",
        ):
            ids = [self.em.channel_id(str(v)) for v in many if v is not None]
            entry[_SELECTED_KEY[kind]] = (
                ids if kind.startswith("multi") else (ids[0] if ids else None)
            )
        elif kind == "datepicker":
            entry["selected_date"] = value.isoformat() if isinstance(value, date) else value
        elif kind == "timepicker":
            entry["selected_time"] = value.strftime("%H:%M") if isinstance(value, dtime) else value
        elif kind == "datetimepicker":
            entry["selected_date_time"] = (
                int(value.timestamp()) if isinstance(value, datetime) else value
            )
        elif kind == "rich_text_input":
            entry["rich_text_value"] = (
                value
                if not isinstance(value, str)
                else {
                    "type": "rich_text",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": value}]}
                    ],
                }
            )
        else:
            raise ValueError(f"cannot enter a value into a {kind}")
        return entry

    # -- modals --------------------------------------------------------------------------

    def _input_block(self, view: View, name: str) -> dict[str, Any]:
        inputs = [b for b in view.blocks if b.get("type") == "input"]
        for block in inputs:
            if _text_of(block.get("label")) == name or block.get("block_id") == name:
                return block
        labels = [_text_of(b.get("label")) for b in inputs]
        raise LookupError(f"no input labelled {name!r} in view {view.id}; inputs: {labels}")

    def _client_check(self, view: View, values: dict[str, dict[str, Any]]) -> None:
        """What the Slack client refuses before anything is sent."""
        for block in view.blocks:
            if block.get("type") != "input" or not isinstance(block.get("element"), dict):
                continue
            element, label = block["element"], _text_of(block.get("label"))
            entry = values.get(str(block.get("block_id")), {}).get(str(element.get("action_id")))
            if entry is None:
                continue
            if _is_empty(entry):
                if not block.get("optional"):
                    raise ValueError(f"Slack would not submit: {label!r} is required")
                continue
            value = entry.get("value")
            if element["type"] == "plain_text_input" and isinstance(value, str):
                if len(value) < int(element.get("min_length") or 0):
                    raise ValueError(f"Slack would not submit: {label!r} is too short")
                if len(value) > int(element.get("max_length") or 3000):
                    raise ValueError(f"Slack would not submit: {label!r} is too long")
            if element["type"] == "number_input" and isinstance(value, str):
                self._check_number(element, label, value)

    @staticmethod
    def _check_number(element: Mapping[str, Any], label: str, value: str) -> None:
        try:
            number = float(value) if element.get("is_decimal_allowed") else int(value)
        except ValueError:
            raise ValueError(f"Slack would not submit: {label!r} is not a valid number") from None
        low, high = element.get("min_value"), element.get("max_value")
        if (low is not None and number < float(low)) or (high is not None and number > float(high)):
            raise ValueError(f"Slack would not submit: {label!r} is out of range")

    async def submit(
        self, view: View, values: Mapping[str, Any] | None = None, *, user: str
    ) -> Ack:
        """Fill inputs by label (or block_id) and press the modal's submit button.

        Inputs not named keep what they hold (initial values or earlier ``select``s). The
        bot's ack is applied as Slack does: empty closes the modal, ``response_action``
        errors/update/push/clear act on ``em.views``.
        """
        if self.em.open_view(user) is not view:
            raise ValueError(f"view {view.id} is not {user}'s top-most open modal")
        if view.view.get("submit") is None:
            raise ValueError(f"view {view.id} has no submit button")
        for name, value in (values or {}).items():
            block = self._input_block(view, name)
            element = block["element"]
            self._remember(view, block, element, self.state_entry(element, value))
        state = self.state_of(view)
        self._client_check(view, state)
        payload = self._common("view_submission", user)
        payload["trigger_id"] = self.em.new_trigger_id(user)
        payload["view"] = {**copy.deepcopy(view.view), "state": {"values": state}}
        payload["response_urls"] = self._response_urls(view, state, user)
        self.em.awaiting_ack(view.id)
        ack = await self._send_interaction(payload)
        body: Any = ack.json if ack.json is not None else ack.text
        self.em.apply_view_response(view, ack.status, body if str(body).strip() else None)
        return ack

    def _response_urls(
        self, view: View, state: Mapping[str, Mapping[str, Any]], user: str
    ) -> list[dict[str, str]]:
        """Slack adds a response_url per conversation picked in a response_url_enabled input."""
        urls = []
        for block, element in _elements(view.blocks):
            if not element.get("response_url_enabled"):
                continue
            entry = state.get(str(block.get("block_id")), {}).get(str(element.get("action_id")))
            channel = (entry or {}).get("selected_conversation") or (entry or {}).get(
                "selected_channel"
            )
            if channel:
                urls.append(
                    {
                        "block_id": str(block.get("block_id")),
                        "action_id": str(element.get("action_id")),
                        "channel_id": channel,
                        "response_url": self.em.new_response_url(channel, user),
                    }
                )
        return urls

    async def close(self, view: View, *, user: str) -> Ack | None:
        """Press the modal's close button; the bot hears ``view_closed`` only if the view has
        ``notify_on_close``."""
        self.em.close_view(view.id)
        if not view.view.get("notify_on_close"):
            return None
        payload = self._common("view_closed", user)
        payload["view"] = {**copy.deepcopy(view.view), "state": {"values": self.state_of(view)}}
        payload["is_cleared"] = False
        return await self._send_interaction(payload)

    # -- events --------------------------------------------------------------------------

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        event_id: str | None = None,
    ) -> Ack:
        """Deliver an Events API ``event_callback``; ``retry_num`` marks it as Slack's retry
        (in Socket Mode the envelope's ``retry_attempt`` and ``retry_reason``)."""
        inner = dict(event)
        inner.setdefault("event_ts", self.em.next_ts())
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.em.app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or self.em.new_id("Ev"),
            "event_time": int(self.em.epoch()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.em.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{self.team_id}-{self.em.app_id}",
        }
        if self.socket_mode:
            return await self._send_envelope(
                "events_api",
                envelope,
                retry_attempt=retry_num or 0,
                retry_reason=retry_reason if retry_num else "",
            )
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self._send(json.dumps(envelope), "application/json", envelope, extra)

    async def url_verification(self, challenge: str = "emulator-challenge") -> Ack:
        self._http_only("url_verification")
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return await self._send(json.dumps(body), "application/json", body)

    async def post_message(
        self, text: str, *, user: str, channel: str, thread_ts: str | None = None
    ) -> tuple[Message, Ack]:
        """A person writes a message: stored in the emulator, then the ``message`` event."""
        message = self.em.add_message(channel, user, text, thread_ts=thread_ts)
        conversation = self.em.channels[message.channel]
        channel_type = (
            "im"
            if conversation.is_im
            else "mpim"
            if conversation.is_mpim
            else "group"
            if conversation.is_private
            else "channel"
        )
        event: dict[str, Any] = {
            "type": "message",
            "channel": message.channel,
            "user": user,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
            "channel_type": channel_type,
            "team": self.team_id,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return message, await self.event(event)

    async def share_file(
        self, user: str, channel: str, name: str, content: bytes, filetype: str = "csv"
    ) -> tuple[dict[str, Any], Ack]:
        """A person uploads a file: stored in the emulator, then the ``file_shared`` event."""
        file = self.em.share_file(user, channel, name, content, filetype)
        event = {
            "type": "file_shared",
            "file_id": file["id"],
            "user_id": user,
            "file": {"id": file["id"]},
            "channel_id": self.em.channel_id(channel),
        }
        return file, await self.event(event)
