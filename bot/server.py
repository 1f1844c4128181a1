"""Running the app: HTTP mode (aiohttp, for production) or Socket Mode (quick install)."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import create_app
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services import ACK_SENT, Services
from handlers.jobs import restore_schedules
from storage.db import Database

log = logging.getLogger(__name__)
SERVICES: web.AppKey[Services] = web.AppKey("services", Services)


def web_app(app: AsyncApp, services: Services) -> web.Application:
    """Slack's requests at POST /slack/events; GET /healthz for load balancers."""

    async def slack_events(request: web.Request) -> web.StreamResponse:
        # Listeners wait for `ack_sent` before their first Web API call (handlers/listener.py),
        # so Slack always has our ack before anything else we do for the request.
        sent = asyncio.Event()
        bolt_request = AsyncBoltRequest(
            body=await request.text(),
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
            context={ACK_SENT: sent},
        )
        response = await to_aiohttp_response(await app.async_dispatch(bolt_request))
        await response.prepare(request)
        await response.write_eof()
        sent.set()
        return response

    async def healthz(_: web.Request) -> web.Response:
        database = await services.db.ping()
        return web.json_response(
            {"ok": database, "database": "ok" if database else "unreachable"},
            status=200 if database else 503,
        )

    application = web.Application()
    application[SERVICES] = services
    application.add_routes([web.post("/slack/events", slack_events), web.get("/healthz", healthz)])
    return application


async def serve(settings: Settings, *, clock: Clock | None = None, host: str = "0.0.0.0") -> None:
    """Migrates, starts in the configured mode, and on SIGTERM/SIGINT drains and stops."""
    db = Database(settings.database_url)
    await db.migrate()
    services = Services(settings=settings, db=db, clock=clock or SystemClock())
    app = create_app(services)
    await restore_schedules(services)
    ticker = AsyncIOScheduler(timezone=UTC)
    ticker.add_job(
        services.jobs.run_due,
        IntervalTrigger(seconds=1),
        id="due-work",
        max_instances=1,
        coalesce=True,
    )
    ticker.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    if settings.socket_mode:
        handler = AsyncSocketModeHandler(app, settings.app_token)
        await handler.connect_async()
        log.info("Timebox is running in Socket Mode")
        await stop.wait()
        await handler.close_async()
    else:
        runner = web.AppRunner(web_app(app, services))
        await runner.setup()
        site = web.TCPSite(runner, host, settings.port)
        await site.start()
        log.info("Timebox is listening on http://%s:%s/slack/events", host, settings.port)
        await stop.wait()
        await site.stop()
        await runner.cleanup()
    ticker.shutdown(wait=False)
    log.info("shutting down: waiting for %s listener(s) to finish", services.inflight.busy)
    await services.inflight.drain(timeout=10)
    await db.dispose()
