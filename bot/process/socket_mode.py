"""Socket Mode: Slack's requests over a WebSocket the app opens (no public URL needed).

Bolt's handler with slack_sdk's aiohttp client, keeping to what the HTTP path in
bot/process/server.py promises the listeners: they learn when the ack has left (`ACK_SENT`,
see handlers/listener.py), and acks go before work already acked (`services.acks`).
"""

from __future__ import annotations

import asyncio
import time

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.runtime.services import ACK_SENT, Services


class SocketModeHandler(AsyncSocketModeHandler):
    """One Socket Mode connection of the app (slack_sdk's aiohttp client): it calls
    apps.connections.open at the app's Web API base URL (`SLACK_API_URL`), connects, and
    connects again on Slack's `disconnect`."""

    def __init__(self, app: AsyncApp, services: Services, app_token: str | None) -> None:
        super().__init__(app, app_token)
        self.services = services

    async def handle(  # type: ignore[override]
        self, client: AsyncBaseSocketModeClient, req: SocketModeRequest
    ) -> None:
        sent = asyncio.Event()
        try:
            with self.services.acks.acking():
                request = AsyncBoltRequest(
                    mode="socket_mode",
                    body=req.payload,
                    headers=retry_headers(req),
                    context={ACK_SENT: sent},
                )
                response = await self.app.async_dispatch(request)
                await send_async_response(client, req, response, time.time())
        finally:
            sent.set()


def retry_headers(req: SocketModeRequest) -> dict[str, str | list[str]] | None:
    """An event's redelivery as the HTTP headers that mark it (X-Slack-Retry-Num and -Reason),
    which the app's middleware reads. Slack numbers the first delivery 0: no header, as in HTTP
    mode."""
    if not req.retry_attempt:
        return None
    return {
        "x-slack-retry-num": str(req.retry_attempt),
        "x-slack-retry-reason": req.retry_reason or "",
    }
