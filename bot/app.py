"""The app factory: one Bolt app wired to our services, listeners and error handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.services import Services
from handlers.jobs import register_jobs

log = logging.getLogger(__name__)


def web_client(services: Services) -> AsyncWebClient:
    """The Web API client: base URL from settings, retries on 429, 5xx and dropped connections."""
    return AsyncWebClient(
        token=services.settings.bot_token,
        base_url=services.settings.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(services: Services) -> AsyncApp:
    settings = services.settings
    app = AsyncApp(
        client=web_client(services),
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
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
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Slack redelivers an event it thinks we missed; an event id is handled once only."""
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            async with services.db.transaction() as store:
                first = await store.first_delivery(f"event:{event_id}", services.clock.now())
            if not first:
                log.info("skipping redelivered event %s", event_id)
                return BoltResponse(status=200, body="")
        return await next()

    handlers.register(app)
    register_jobs(services, app.client)
    return app
