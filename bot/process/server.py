"""Running the app: HTTP mode (aiohttp, for production) or Socket Mode (quick install)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import re
import signal
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.process import access_log, calendar_feed
from bot.process.app import create_app, install_trackers
from bot.process.webhooks import tracker_routes
from bot.runtime import scheduling
from bot.runtime.clock import Clock, FileClock, SystemClock
from bot.runtime.config import Settings
from bot.runtime.liveness import SweepWatch
from bot.runtime.services import ACK_SENT, Services
from bot.usecases.housekeeping import restore_schedules
from storage.db import Database

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)
SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
SWEEPS: web.AppKey[SweepWatch] = web.AppKey("sweeps", SweepWatch)
ANSWERED: web.AppKey[asyncio.Event] = web.AppKey("answered", asyncio.Event)
"""Set once a Slack request has had its ack: `serve` then finishes starting."""
START_LATER = 1.0  # seconds after listening: the rest of start-up, if no request came first
WEB_API_TIMEOUT = 30  # seconds for a call to Slack's Web API (slack_sdk's own default)
HEALTHZ_DB_TIMEOUT = 5.0  # seconds: a load balancer's probe must not hang on a stuck database


def web_app(
    app: AsyncApp,
    services: Services,
    ticker: BaseScheduler | None = None,
    *,
    starting: bool = False,
) -> web.Application:
    """Slack's requests at POST /slack/events; GET /healthz for load balancers.

    `ticker`: the scheduler that sweeps due work, which /healthz watches (None where the
    caller sweeps, as tests and the sandbox do); `starting`: it is given later, to
    `application[SWEEPS].watch` (`serve`).
    """
    guard = RequestGuard(services.settings.signing_secret)
    answered = asyncio.Event()

    async def slack_events(request: web.Request) -> web.StreamResponse:
        # Listeners wait for `ack_sent` before their first Web API call (handlers/listener.py),
        # so Slack always has our ack before anything else we do for the request.
        sent = asyncio.Event()
        with services.acks.acking():
            response = await acked(request, sent)
        sent.set()
        answered.set()
        return response

    async def acked(request: web.Request, sent: asyncio.Event) -> web.StreamResponse:
        """The request read, checked and handed to Bolt; the ack written (or the refusal
        returned)."""
        try:
            admitted = await guard.admit(request)
            if admitted is None:  # Slack's SSL check of the URL
                return web.Response(status=200)
            bolt_request = _for_bolt(request, *admitted, sent)
        except Refused as refused:
            log.warning(
                "refused a request from %s: %s %s",
                request.remote,
                refused.status,
                refused.reason,
            )
            return web.Response(status=refused.status, text=HTTPStatus(refused.status).phrase)
        response = await to_aiohttp_response(await app.async_dispatch(bolt_request))
        await response.prepare(request)
        await response.write_eof()
        return response

    sweeps = SweepWatch(services.clock, ticker, starting=starting)

    async def healthz(_: web.Request) -> web.Response:
        """200 when the database answers and due work is being swept; 503 and why otherwise."""
        try:
            database = await asyncio.wait_for(services.db.ping(), HEALTHZ_DB_TIMEOUT)
        except TimeoutError:
            database = False
        scheduled, scheduler = sweeps.report()
        ok = database and scheduled
        return web.json_response(
            {"ok": ok, "database": "ok" if database else "unreachable", "scheduler": scheduler},
            status=200 if ok else 503,
        )

    application = web.Application(client_max_size=MAX_BODY)
    application[SERVICES] = services
    application[SWEEPS] = sweeps
    application[ANSWERED] = answered
    application.add_routes([web.post("/slack/events", slack_events), web.get("/healthz", healthz)])
    application.add_routes(calendar_feed.routes(services))
    application.add_routes(_once_started(services, tracker_routes(services)))
    if app.oauth_flow is not None:
        application.add_routes(oauth_routes(app))
    return application


# -- what reaches Bolt -------------------------------------------------------------------------

MAX_BODY = 1 << 20  # bytes: Slack's largest requests (a modal's submission) are far smaller
MAX_SKEW = 5 * 60  # seconds between a request's timestamp and our clock, as Slack prescribes
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_USER_PAYLOADS = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}


class Refused(Exception):
    """A request turned away before Bolt sees it: the HTTP status and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class RequestGuard:
    """What POST /slack/events lets through to Bolt: a body of at most MAX_BODY bytes, signed
    with our signing secret at most five minutes ago, that is a Slack request: a slash command
    (form data), an interaction (form data whose `payload` is a JSON object) or an event (a JSON
    object), with what its listeners read (an action's `actions`, a submission's `view`, an
    event's `event`) in place. Nothing parses a body before its signature has been checked,
    except a short unsigned `ssl_check=1` (Slack's check of the URL, which Slack does not sign).
    """

    def __init__(self, signing_secret: str | None, now: Callable[[], float] = time.time) -> None:
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._now = now

    async def admit(self, request: web.Request) -> tuple[str, dict[str, Any]] | None:
        """The body as text and as read, or None for an SSL check; Refused otherwise."""
        if (request.content_length or 0) > MAX_BODY:
            raise Refused(413, f"body of {request.content_length} bytes")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise Refused(413, f"body over {MAX_BODY} bytes") from None
        if _ssl_check(raw):
            return None
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if timestamp is None:
            raise Refused(401, "no timestamp")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise Refused(401, f"timestamp {_clip(timestamp)} is not a number")
        if abs(self._now() - int(timestamp)) > MAX_SKEW:
            raise Refused(401, f"timestamp {timestamp} is more than 5 minutes off")
        if signature is None:
            raise Refused(401, "no signature")
        if not _SIGNATURE.fullmatch(signature):
            raise Refused(401, f"signature {_clip(signature)} is malformed")
        try:  # Slack signs its UTF-8 bytes; the SDK's verifier takes them as text
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "body is not UTF-8") from None
        if self._verifier is None or not self._verifier.is_valid(text, timestamp, signature):
            raise Refused(401, "wrong signature")
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        body = _read(text, content_type)
        check_body(body)
        return text, body


def _for_bolt(
    request: web.Request, text: str, body: dict[str, Any], sent: asyncio.Event
) -> AsyncBoltRequest:
    """The request for Bolt, with the body as the guard read it. Bolt does not read it again:
    a vote's 7 kB of escaped form data took 0.25 ms to read, and Bolt's own reading takes a
    form whose text merely contains "payload" (`/backlog add Fix the payload`) for an empty
    one. (Bolt takes a body already read only in Socket Mode: the request is made as one,
    then given its raw text, which Bolt's signature check reads, and the HTTP mode.) Refused
    if Bolt cannot take it (its ids of an unexpected type, say)."""
    try:
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
            context={ACK_SENT: sent},
            mode="socket_mode",
        )
        bolt_request.raw_body = text
        bolt_request.mode = "http"
    except Exception as error:
        raise Refused(400, f"Bolt cannot read it ({type(error).__name__})") from None
    return bolt_request


def _ssl_check(raw: bytes) -> bool:
    """Slack's periodic check of a command URL: `ssl_check=1&token=…`, sent unsigned."""
    if len(raw) > 200 or not raw.startswith(b"ssl_check="):
        return False
    try:
        fields = dict(parse_qsl(raw.decode("ascii"), strict_parsing=True))
    except ValueError:  # UnicodeDecodeError included
        return False
    return fields.get("ssl_check") == "1" and set(fields) <= {"ssl_check", "token"}


def _read(text: str, content_type: str) -> dict[str, Any]:
    """The body as Bolt takes it: JSON (an event) or form data (a command, or an interaction's
    `payload`). Refused unless it is well formed."""
    if not text:
        raise Refused(400, "empty body")
    if content_type == "application/json" or text.startswith("{"):
        return _object(text, "body")
    form = _form(text)
    if "payload" in form:
        return _object(form["payload"], "payload")
    if "command" in form:
        return form
    raise Refused(400, "form data with neither a command nor a payload")


def _form(text: str) -> dict[str, str]:
    """Form data, read strictly (every field with "=", escapes of UTF-8), each field once."""
    name, equals, value = text.partition("=")
    if name == "payload" and equals and "&" not in value and text.isascii():  # an interaction
        with contextlib.suppress(UnicodeDecodeError):
            return {"payload": _unescape(value)}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError:  # a field without "=", a %-escape that is not UTF-8
        raise Refused(400, "body is not form data") from None
    form = dict(pairs)
    if len(form) != len(pairs):
        raise Refused(400, "a form field is given twice")
    return form


def _unescape(value: str) -> str:
    """A form field's value as `parse_qsl` reads it ("+" a space, %XX escapes of UTF-8
    bytes), decoded in C rather than one escape at a time in Python: the escapes are written
    as Python's \\xXX (the backslashes there doubled first) for the `unicode_escape` codec. A
    vote's payload (7 kB, 1,500 escapes) takes 0.04 ms instead of 0.25 ms. UnicodeDecodeError
    if a % is not followed by two hex digits or the bytes are not UTF-8: `parse_qsl` then
    decides, as before."""
    escaped = value.replace("+", " ").replace("\\", "\\\\").replace("%", "\\x")
    return escaped.encode("ascii").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is not a JSON object")
    return value


def check_body(body: dict[str, Any]) -> None:
    """Refused unless what Bolt and the listeners read of the request is there."""
    if "command" in body:
        command = body["command"]
        if not isinstance(command, str) or not command.startswith("/"):
            raise Refused(400, "command is not a slash command")
        if not (_text(body.get("user_id")) and _text(body.get("channel_id"))):
            raise Refused(400, "command without its user or channel")
        return
    kind = body.get("type")
    if not _text(kind):
        raise Refused(400, "request without a type")
    if kind in _USER_PAYLOADS and not (
        isinstance(body.get("user"), dict) and _text(body["user"].get("id"))
    ):
        raise Refused(400, f"{_clip(kind)} without a user")
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            raise Refused(400, "block_actions without actions")
        if not all(isinstance(a, dict) and _text(a.get("action_id")) for a in actions):
            raise Refused(400, "block_actions with an action that has no action_id")
    elif kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict):
            raise Refused(400, f"{kind} without a view")
        if not (_text(view.get("type")) and isinstance(view.get("callback_id"), str)):
            raise Refused(400, f"{kind} with a view without its type or callback_id")
    elif kind in ("shortcut", "message_action", "block_suggestion"):
        key = "action_id" if kind == "block_suggestion" else "callback_id"
        if not isinstance(body.get(key), str):
            raise Refused(400, f"{kind} without a {key}")
    elif kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not _text(event.get("type")):
            raise Refused(400, "event_callback without an event")
        if event["type"] == "file_shared" and not _text(event.get("file_id")):
            raise Refused(400, "file_shared without a file_id")
    elif kind == "url_verification" and not isinstance(body.get("challenge"), str):
        raise Refused(400, "url_verification without a challenge")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _clip(value: Any, size: int = 16) -> str:
    """A value a stranger sent, as a short printable quote for the log."""
    text = repr(value)
    return text if len(text) <= size else f"{text[: size - 1]}…"


def _once_started(services: Services, routes: list[web.RouteDef]) -> list[web.RouteDef]:
    """Routes whose handlers wait for the end of start-up: tracker webhooks need the tracker
    clients, which `serve` loads after its first answer."""

    def waiting(handle: Any) -> Any:
        async def handler(request: web.Request) -> web.StreamResponse:
            await services.started.wait()
            return await handle(request)

        return handler

    return [web.RouteDef(r.method, r.path, waiting(r.handler), r.kwargs) for r in routes]


def oauth_routes(app: AsyncApp) -> list[web.RouteDef]:
    """Installing into a workspace: /slack/install sends the browser to Slack's consent page,
    and Slack sends it back to /slack/oauth_redirect, where the installation is stored."""
    flow = app.oauth_flow
    assert flow is not None

    async def install(request: web.Request) -> web.StreamResponse:
        answer = await flow.handle_installation(_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def redirect(request: web.Request) -> web.StreamResponse:
        answer = await flow.handle_callback(_bolt_request(request))
        return await to_aiohttp_response(answer)

    return [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, redirect)]


def _bolt_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body="",
        query=request.query_string,
        headers=request.headers,  # type: ignore[arg-type]
    )


async def serve(settings: Settings, *, clock: Clock | None = None, host: str = "0.0.0.0") -> None:
    """Migrates (when the schema is behind), starts in the configured mode, and on
    SIGTERM/SIGINT drains and stops.

    Start-up comes in two halves. Before listening: what answering a request needs (the
    settings, the database's schema checked with one query, the app and its listeners), while
    the bot token is checked with Slack in the background (`check_token`). Once the first
    Slack request has had its ack (or START_LATER after listening): the tracker clients, the
    schedules restored and the ticker that sweeps due work (its first sweep is a second away
    in any case). Work after an ack waits for that second half (`Services.started`)."""
    db = Database(settings.database_url)
    await db.migrate()
    if clock is None and settings.clock_file is not None:
        log.warning("the time comes from %s (TIMEBOX_CLOCK_FILE: tests only)", settings.clock_file)
        clock = FileClock(settings.clock_file)
    services = Services(settings=settings, db=db, clock=clock or SystemClock())
    services.started.clear()
    slack_http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT))
    app = create_app(services, trackers=False, session=slack_http)
    checking = asyncio.create_task(check_token(app))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    if settings.socket_mode:
        from bot.process.socket_mode import SocketModeHandler  # not needed over HTTP

        handler = SocketModeHandler(app, services, settings.app_token)
        await handler.connect_async()
        answered, sweeps = None, None
        log.info("Timebox is running in Socket Mode")
    else:
        application = web_app(app, services, starting=True)
        answered, sweeps = application[ANSWERED], application[SWEEPS]
        runner = access_log.runner(application)
        await runner.setup()
        site = web.TCPSite(runner, host, settings.port)
        await site.start()
        log.info("Timebox is listening on http://%s:%s/slack/events", host, settings.port)
    await _first_answer(answered, stop)
    ticker = await _finish_start(services) if not stop.is_set() else None
    if ticker is not None and sweeps is not None:
        sweeps.watch(ticker)
    # Everything loaded so far lives as long as the process: keeping it out of the garbage
    # collector's full passes keeps those passes (and the acks they would hold up) short.
    # `timebox run` starts with the collector off (bot/process/cli.py): on from here.
    gc.freeze()
    gc.enable()
    await stop.wait()
    checking.cancel()
    if settings.socket_mode:
        await handler.close_async()
    else:
        await site.stop()
        await runner.cleanup()
    if ticker is not None:
        # No new sweeps; the one in progress finishes its jobs (the ticker's shutdown would
        # cancel it halfway, leaving its jobs to wait for their leases to run out).
        ticker.pause()
        await services.jobs.close(timeout=10)
        ticker.shutdown(wait=False)
    else:  # stopped while starting: what was acked is finished with the trackers in place
        install_trackers(services)
        services.started.set()
    log.info("shutting down: waiting for %s listener(s) to finish", services.inflight.busy)
    await services.inflight.drain(timeout=10)
    await slack_http.close()
    await db.dispose()


async def _first_answer(answered: asyncio.Event | None, stop: asyncio.Event) -> None:
    """Returns once a Slack request has had its ack (HTTP mode), START_LATER has passed, or
    the process is asked to stop; at once in Socket Mode, which connects first."""
    if answered is None:
        return
    waits = [asyncio.create_task(event.wait()) for event in (answered, stop)]
    _, pending = await asyncio.wait(waits, timeout=START_LATER, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()


async def _finish_start(services: Services) -> BaseScheduler:
    """The second half of start-up: the tracker clients, the schedules, the ticker (started).
    Its imports hold the event loop for a tenth of a second: the acks of a burst of requests
    come in go first."""
    await services.acks.turn()
    install_trackers(services)
    services.started.set()
    await restore_schedules(services)
    ticker = scheduling.ticker(services.jobs.run_due)
    ticker.start()
    return ticker


async def check_token(app: AsyncApp) -> None:
    """Asks Slack whose the bot token is (auth.test) while the server starts. Bolt asks that
    before the first request's listener may ack, and keeps the answer: asked here, the first
    ack after a restart does not wait a round trip to Slack. A failure is only logged (Bolt
    asks again with the first request). With many workspaces (OAuth) there is nothing to
    ask: each installation's token comes with its requests."""
    for middleware in getattr(app, "_async_middleware_list", ()):  # Bolt's, no public handle
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            if middleware.auth_test_result is None:
                try:
                    middleware.auth_test_result = await app.client.auth_test()
                except Exception as error:
                    log.warning("could not check the bot token with Slack: %s", error)
            return
