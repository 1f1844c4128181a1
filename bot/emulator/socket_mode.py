"""Slack's side of Socket Mode: ``apps.connections.open``, the WebSocket, envelopes and acks.

The shapes follow Slack's "Using Socket Mode" page
(https://docs.slack.dev/apis/events-api/using-socket-mode):

- ``apps.connections.open``, called with the app-level token (``xapp-``), answers
  ``{"ok": true, "url": "wss://…/link/?ticket=…"}``; here the URL is ``ws://`` on the emulator.
  Each URL admits one connection.
- On connecting, Slack sends ``{"type": "hello", "num_connections", "debug_info":
  {"host", "build_number", "approximate_connection_time"}, "connection_info": {"app_id"}}``.
- Then envelopes: ``{"envelope_id", "type": "slash_commands" | "interactive" | "events_api",
  "payload", "accepts_response_payload"}``; ``events_api`` envelopes also carry
  ``retry_attempt`` (0 on the first delivery) and ``retry_reason`` ("" on the first delivery,
  e.g. "timeout" on a retry).
- The app acks each with ``{"envelope_id", "payload"?}``; the payload (a command's answer,
  a modal's ``response_action``, menu options) counts only where ``accepts_response_payload``.
- ``{"type": "disconnect", "reason": "warning" | "refresh_requested" | "link_disabled" |
  "too_many_websockets", "debug_info": {"host"}}`` asks the app to connect again with a new
  URL. An app may hold up to 10 connections; each envelope goes to one of them.

Where Slack's documents say nothing, the emulator does what the official clients rely on: an
ack is matched by its ``envelope_id`` on any of the app's connections (slack_sdk sends it on
whichever connection is current when the listener acks, which after a refresh is the new one),
and a connection that was sent ``disconnect`` gets no new envelopes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict, Unpack

from aiohttp import WSCloseCode, WSMsgType, web

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]
DisconnectReason = Literal["warning", "refresh_requested", "link_disabled", "too_many_websockets"]

MAX_CONNECTIONS = 10  # Slack: "up to 10 open WebSocket connections at the same time"
CONNECTION_TIME = 18060  # seconds, as Slack's hello reports approximate_connection_time
HOST = "applink-emulator"


class Slack(Protocol):
    """What Socket Mode needs of the emulator (``SlackEmulator``)."""

    url: str
    app_id: str
    calls: list[Any]

    def epoch(self) -> float: ...

    def report_problem(self, where: str, problem: str) -> None: ...


@dataclass
class Connection:
    """One WebSocket connection an app opened with a URL from apps.connections.open."""

    id: str
    ws: web.WebSocketResponse = field(repr=False)
    opened: float
    """Emulator time (``em.epoch()``) of the connection."""
    ready: bool = False
    """Sent ``hello``: from then on it may carry envelopes."""
    retiring: str | None = None
    """The reason of the ``disconnect`` sent to it: it gets no new envelopes."""
    closed: bool = False
    envelopes: int = 0
    """How many envelopes were sent over it."""

    @property
    def usable(self) -> bool:
        return self.ready and not self.closed and self.retiring is None


class Retry(TypedDict, total=False):
    """How an envelope says it is sent again (Slack's ``retry_attempt``, ``retry_reason``)."""

    retry_attempt: int | None
    retry_reason: str | None


@dataclass
class Envelope:
    """One delivery to the app and what became of it."""

    envelope_id: str
    type: EnvelopeType
    payload: dict[str, Any]
    accepts_response_payload: bool
    retry_attempt: int | None = None
    retry_reason: str | None = None
    connection: str | None = None
    """The id of the connection it was sent over (None: no connection took it)."""
    ack: dict[str, Any] | None = None
    """The app's ack message as it arrived, or None while unacknowledged."""
    acked_on: str | None = None
    """The connection the ack came back on (not always the one the envelope went out on)."""
    elapsed_ms: float | None = None
    """Real time from sending to the ack."""
    calls_at_send: int = 0
    calls_at_ack: int | None = None
    """``len(em.calls)`` when it was sent and when its ack came: the app's Web API calls in
    between were made before Slack had the ack."""
    _sent_at: float = field(default=0.0, repr=False)
    _acked: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def acked(self) -> bool:
        return self.ack is not None

    def calls_before_ack(self, em: Slack) -> list[str]:
        """The Web API methods the app called between sending and the ack (with envelopes
        sent one at a time, only what this one's handling called)."""
        end = self.calls_at_ack if self.calls_at_ack is not None else len(em.calls)
        return [call.method for call in em.calls[self.calls_at_send : end]]

    @property
    def response_payload(self) -> dict[str, Any] | None:
        """The ack's payload where Slack takes one (``accepts_response_payload``), else None."""
        if self.ack is None or not self.accepts_response_payload:
            return None
        payload = self.ack.get("payload")
        return payload if isinstance(payload, dict) else None

    def to_slack(self) -> dict[str, Any]:
        """The message Slack sends over the WebSocket."""
        out: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            out["retry_attempt"] = self.retry_attempt or 0
            out["retry_reason"] = self.retry_reason or ""
        return out


class SocketMode:
    """The emulator's Socket Mode endpoint: the tickets apps.connections.open hands out, the
    connections made with them, and every envelope sent and ack received.

    Tests wait on it instead of sleeping: ``connected(n)`` returns once ``n`` connections are
    ready, ``until(check)`` once anything the check looks at has changed so that it holds.
    """

    def __init__(self, em: Slack) -> None:
        self.em = em
        self.connections: list[Connection] = []
        """Every connection ever made, in order (closed ones included)."""
        self.envelopes: list[Envelope] = []
        """Every envelope sent, in order."""
        self.disconnects: list[tuple[str, str]] = []
        """``(connection id, reason)`` of every ``disconnect`` sent."""
        self._tickets: dict[str, str] = {}
        self._by_id: dict[str, Envelope] = {}
        self._turn = 0
        self._numbers = 0
        self._changed: asyncio.Event | None = None

    # -- what tests read and wait for -----------------------------------------------------

    @property
    def open_connections(self) -> list[Connection]:
        return [c for c in self.connections if not c.closed]

    @property
    def usable(self) -> list[Connection]:
        """Connections that take new envelopes, in the order they were made."""
        return [c for c in self.connections if c.usable]

    def connection(self, connection_id: str) -> Connection:
        return next(c for c in self.connections if c.id == connection_id)

    async def until(self, check: Callable[[], object], what: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Returns once ``check()`` holds, re-checked whenever a connection or an envelope
        changes; TimeoutError naming ``what`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"Socket Mode: timed out after {timeout:g} s waiting for {what}")
            changed = self._event()
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), left)

    async def connected(self, count: int = 1, timeout: float = 10.0) -> list[Connection]:  # noqa: ASYNC109
        """Waits until at least ``count`` connections take envelopes; returns them."""
        await self.until(lambda: len(self.usable) >= count, f"{count} connection(s)", timeout)
        return self.usable

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def _notify(self) -> None:
        self._event().set()

    def _next_id(self, kind: str) -> str:
        self._numbers += 1
        digest = hashlib.sha1(f"{kind}:{self._numbers}".encode()).digest()[:16]
        return str(uuid.UUID(bytes=digest, version=4))

    # -- apps.connections.open and the WebSocket ------------------------------------------

    def open_url(self, token: str) -> str:
        """A fresh WebSocket URL for the app whose app-level token is ``token``."""
        ticket = self._next_id("ticket")
        self._tickets[ticket] = token
        base = "ws" + self.em.url.removeprefix("http")
        return f"{base}/link/?ticket={ticket}&app_id={self.em.app_id}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """``GET /link/?ticket=…``: the WebSocket an app connects to."""
        ticket = request.query.get("ticket", "")
        if self._tickets.pop(ticket, None) is None:
            self.em.report_problem(
                "socket mode", f"connection with an unknown or used ticket {ticket!r}"
            )
            return web.Response(status=401, text="invalid_ticket", content_type="text/plain")
        ws = web.WebSocketResponse(autoping=True)  # answers the client's pings
        await ws.prepare(request)
        connection = Connection(id=f"ws{len(self.connections) + 1}", ws=ws, opened=self.em.epoch())
        self.connections.append(connection)
        try:
            if len(self.open_connections) > MAX_CONNECTIONS:
                self.em.report_problem(
                    "socket mode", f"more than {MAX_CONNECTIONS} connections at once"
                )
                await self._send_disconnect(connection, "too_many_websockets")
                await ws.close(code=WSCloseCode.POLICY_VIOLATION)
                return ws
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": len(self.open_connections),
                    "debug_info": {
                        "host": HOST,
                        "build_number": 1,
                        "approximate_connection_time": CONNECTION_TIME,
                    },
                    "connection_info": {"app_id": self.em.app_id},
                }
            )
            connection.ready = True
            self._notify()
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(connection, message.data)
                elif message.type == WSMsgType.BINARY:
                    self.em.report_problem(
                        connection.id, "sent a binary frame; Slack expects JSON text"
                    )
                self._notify()  # an ack, or a problem a test may wait for
        finally:
            connection.closed = True
            self._notify()
        return ws

    def _receive(self, connection: Connection, data: str) -> None:
        where = f"socket mode ack on {connection.id}"
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            self.em.report_problem(where, f"not JSON: {data[:200]!r}")
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            self.em.report_problem(where, f"not an ack (no envelope_id): {data[:200]!r}")
            return
        envelope = self._by_id.get(str(message["envelope_id"]))
        if envelope is None:
            self.em.report_problem(where, f"unknown envelope_id {message['envelope_id']!r}")
            return
        if envelope.acked:
            self.em.report_problem(where, f"envelope {envelope.envelope_id} acked twice")
            return
        extra = set(message) - {"envelope_id", "payload"}
        if extra:
            self.em.report_problem(where, f"unknown ack fields {sorted(extra)}")
        if "payload" in message and not isinstance(message["payload"], dict):
            self.em.report_problem(where, "payload is not a JSON object")
        envelope.ack = message
        envelope.acked_on = connection.id
        envelope.calls_at_ack = len(self.em.calls)
        envelope.elapsed_ms = (time.perf_counter() - envelope._sent_at) * 1000
        envelope._acked.set()

    # -- envelopes -----------------------------------------------------------------------

    async def deliver(
        self,
        kind: EnvelopeType,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        via: Connection | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109
        **retry: Unpack[Retry],
    ) -> Envelope:
        """Send one envelope to the app and wait for its ack (up to ``timeout`` seconds).

        It goes over ``via``, or else over the next usable connection in turn (waiting up to
        ``timeout`` for one, as when the app is reconnecting). ``accepts_response_payload``
        defaults to Slack's: true for commands and interactions, false for events; ``retry``
        marks a redelivery. Returns the envelope: ``acked`` tells whether the ack came,
        ``response_payload`` what it said.
        """
        if accepts_response_payload is None:
            accepts_response_payload = kind != "events_api"
        envelope = Envelope(
            envelope_id=self._next_id("envelope"),
            type=kind,
            payload=payload,
            accepts_response_payload=accepts_response_payload,
            **retry,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._by_id[envelope.envelope_id] = envelope  # before sending: the ack may be quick
        while envelope.connection is None:
            connection = via or await self._pick(max(0.0, deadline - loop.time()))
            if connection is None:
                self.em.report_problem(
                    f"socket mode {kind}", f"no connection to deliver to within {timeout:g} s"
                )
                del self._by_id[envelope.envelope_id]
                return envelope
            try:
                envelope._sent_at = time.perf_counter()
                envelope.calls_at_send = len(self.em.calls)
                await connection.ws.send_json(envelope.to_slack())
            except ConnectionError:
                connection.closed = True  # gone under us: the next connection takes it
                if via is not None:
                    self.em.report_problem(f"socket mode {kind}", f"{via.id} is closed")
                    del self._by_id[envelope.envelope_id]
                    return envelope
                continue
            envelope.connection = connection.id
            connection.envelopes += 1
        self.envelopes.append(envelope)
        self._notify()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(envelope._acked.wait(), max(0.0, deadline - loop.time()))
        return envelope

    async def _pick(self, timeout: float) -> Connection | None:  # noqa: ASYNC109
        try:
            await self.until(lambda: self.usable, "a connection", timeout)
        except TimeoutError:
            return None
        usable = self.usable
        connection = usable[self._turn % len(usable)]
        self._turn += 1
        return connection

    # -- disconnects ---------------------------------------------------------------------

    async def disconnect(
        self,
        connection: Connection | None = None,
        reason: DisconnectReason = "refresh_requested",
        *,
        close: bool = False,
    ) -> list[Connection]:
        """Send ``disconnect`` with ``reason`` to ``connection`` (default: every open one).

        From then on it gets no new envelopes; the app is expected to call
        apps.connections.open and connect again. ``close``: also close the socket at once
        (as Slack does after ``link_disabled``); otherwise the app closes it.
        """
        targets = [connection] if connection is not None else self.open_connections
        for target in targets:
            await self._send_disconnect(target, reason)
            if close:
                await target.ws.close(code=WSCloseCode.GOING_AWAY)
        self._notify()
        return targets

    async def _send_disconnect(self, connection: Connection, reason: str) -> None:
        connection.retiring = reason
        self.disconnects.append((connection.id, reason))
        with contextlib.suppress(ConnectionError):
            await connection.ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}}
            )

    async def drop(self, connection: Connection) -> None:
        """Close a connection without a word, as a network failure would."""
        connection.retiring = connection.retiring or "dropped"
        await connection.ws.close(code=WSCloseCode.GOING_AWAY)
        self._notify()

    async def close_all(self) -> None:
        """Close every open connection (the emulator is stopping)."""
        for connection in self.open_connections:
            with contextlib.suppress(ConnectionError):
                await connection.ws.close(code=WSCloseCode.GOING_AWAY)
