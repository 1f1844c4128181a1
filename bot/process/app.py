"""The app factory: one Bolt app wired to our services, listeners and error handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urljoin

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.runtime.services import Services
from bot.usecases.housekeeping import restore_schedules
from handlers.jobs import register_jobs
from handlers.listener import DELIVERY
from storage.installations import STATE_SECONDS, installation_store, oauth_state_store

log = logging.getLogger(__name__)

# What the app asks for when it is installed: manifest.yml's bot scopes (a test keeps them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "im:write",  # after a crash: a direct message's conversation (conversations.open) ...
    "im:history",  # ... and whether Slack got the message (handlers/outbox.py)
    "usergroups:read",
    "files:read",
    "files:write",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def web_client(services: Services, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """The Web API client: base URL from settings, retries on 429, 5xx and dropped connections.
    `session`: kept-alive connections to Slack for every call (`timebox run`); without it,
    each call opens a connection of its own (a TLS handshake with Slack's servers)."""
    return AsyncWebClient(
        token=services.settings.bot_token,
        base_url=services.settings.slack_api_url,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
        logger=leveled("slack_sdk.web.async_base_client"),
    )


def leveled(name: str) -> logging.Logger:
    """A logger of slack_sdk or Bolt with its own level set, to the one it has from the
    configuration when the app is built. They build their debug lines (a request's
    arguments, a response's headers and body, each middleware applied) whenever their
    logger's own level is unset, written or not; with it set, only when DEBUG is on."""
    logger = logging.getLogger(name)
    logger.setLevel((logger.parent or logging.getLogger()).getEffectiveLevel())
    return logger


def oauth_settings(services: Services) -> AsyncOAuthSettings | None:
    """Installing into many workspaces: the OAuth flow at /slack/install and
    /slack/oauth_redirect, installations and OAuth states kept in our database, and every
    request authorized with the bot token of its own workspace. None with one bot token."""
    settings = services.settings
    if settings.client_id is None or settings.client_secret is None:
        return None

    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        """A workspace installed (maybe again, after removing the app): its teams' daily
        reminders, which stopped with the removal, are planned again."""
        await restore_schedules(services)
        return await args.default.success(args)

    async def not_installed(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    oauth = AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        # Slack's consent page lives next to its Web API: https://slack.com/oauth/v2/authorize
        authorization_url=urljoin(settings.slack_api_url, "../oauth/v2/authorize"),
        installation_store=installation_store(services.db, settings.client_id),
        state_store=oauth_state_store(services.db),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=AsyncCallbackOptions(success=installed, failure=not_installed),
    )
    # Bolt checks each request's token with auth.test before the listener can ack; remember
    # the answer per token (a new installation brings a new token) to keep acks fast.
    oauth.authorize.cache_enabled = True
    return oauth


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery from Slack: an event's id, or the trigger_id of a person's
    command or click (unique to that action). None for what has neither (option loads)."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    trigger = body.get("trigger_id")
    return f"trigger:{trigger}" if isinstance(trigger, str) and trigger else None


def create_app(
    services: Services, *, trackers: bool = True, session: aiohttp.ClientSession | None = None
) -> AsyncApp:
    """The app with its listeners and its due work's handlers; `trackers=False` leaves the
    tracker clients to `install_trackers`, as `timebox run` does after its first answer.
    `session`: the Web API's connections (`web_client`), which the caller closes."""
    settings = services.settings
    app = AsyncApp(
        name="timebox.bolt",  # without it Bolt reads its caller's file name off the stack (0.1 s)
        client=web_client(services, session),
        logger=leveled("slack_bolt.AsyncApp"),
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        # Bolt sends the ack as soon as the listener returns; ours return once they have
        # acked, their work going on in a task (handlers/listener.py). With False, Bolt would
        # run them in a task itself and poll for the ack every 10 ms.
        process_before_response=True,
        oauth_settings=oauth_settings(services),
    )

    @app.middleware
    async def provide_services(
        context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        context["services"] = services
        return await next()

    @app.middleware
    async def skip_retried_events(
        request: AsyncBoltRequest,
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Slack redelivers an event it thinks we missed (X-Slack-Retry-Num); a command or a
        click could come twice too (a proxy's retry). Each delivery is handled once only.

        Events and retries are checked before anything else. The first delivery of a command
        or click is recorded off the ack's path: a burst of clicks must not queue its acks
        behind database writes (a retry comes seconds later, long after the record). A
        listener that writes before its ack anyway (a vote) records it in its own
        transaction instead (`handlers.listener.take_delivery`)."""
        key = delivery_key(body)
        if key is None:
            return await next()
        retry = request.headers.get("x-slack-retry-num")
        if key.startswith("event:") or retry:
            if not await record_delivery(key):
                log.info("skipping redelivered %s (retry %s)", key, (retry or ["?"])[0])
                return BoltResponse(status=200, body="")
            return await next()
        context[DELIVERY] = key
        task = asyncio.create_task(record_delivery(key, after_acks=context))
        recording.add(task)
        task.add_done_callback(recording.discard)
        return await next()

    recording: set[asyncio.Task[bool]] = set()

    async def record_delivery(key: str, after_acks: AsyncBoltContext | None = None) -> bool:
        """True the first time `key` is seen (and when the database cannot say: better
        handle a delivery twice than drop one). `after_acks`: the request's context; the
        record waits for the acks, and is left to a listener that took it meanwhile."""
        with services.inflight:
            if after_acks is not None:
                await services.acks.turn()
                if after_acks.get(DELIVERY) != key:  # recorded with the listener's own write
                    return True
            try:
                return await services.deliveries.add({"key": key, "at": services.clock.now()})
            except Exception:
                log.warning("could not record the delivery %s", key, exc_info=True)
                return True

    handlers.register(app)
    register_jobs(services, app.client, app.installation_store)
    if trackers:
        install_trackers(services)
    return app


def install_trackers(services: Services) -> None:
    """The tracker clients (Jira, GitHub, Linear) and their due work (bot/trackers/wiring.py):
    a tenth of a second of imports (Linear's GraphQL), not needed to answer Slack."""
    from bot.trackers.wiring import install

    install(services)
