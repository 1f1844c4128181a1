"""Running the app: HTTP mode (aiohttp, for production) or Socket Mode (quick install)."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from datetime import UTC

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.process.app import create_app
from bot.runtime.clock import Clock, FileClock, SystemClock
from bot.runtime.config import Settings
from bot.runtime.liveness import SweepWatch
from bot.runtime.services import ACK_SENT, Services
from handlers.jobs import restore_schedules
from storage.db import Database

log = logging.getLogger(__name__)
SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
HEALTHZ_DB_TIMEOUT = 5.0  # seconds: a load balancer's probe must not hang on a stuck database


def web_app(
    app: AsyncApp, services: Services, ticker: BaseScheduler | None = None
) -> web.Application:
    """Slack's requests at POST /slack/events; GET /healthz for load balancers.

    `ticker`: the scheduler that sweeps due work, which /healthz watches (None where the
    caller sweeps, as tests and the sandbox do).
    """

    async def slack_events(request: web.Request) -> web.StreamResponse:
        # Listeners wait for `ack_sent` before their first Web API call (handlers/listener.py),
        # so Slack always has our ack before anything else we do for the request.
        sent = asyncio.Event()
        with services.acks.acking():
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

    sweeps = SweepWatch(services.clock, ticker)

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

    application = web.Application()
    application[SERVICES] = services
    application.add_routes([web.post("/slack/events", slack_events), web.get("/healthz", healthz)])
    if app.oauth_flow is not None:
        application.add_routes(oauth_routes(app))
    return application


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
    """Migrates, starts in the configured mode, and on SIGTERM/SIGINT drains and stops."""
    db = Database(settings.database_url)
    await db.migrate()
    if clock is None and settings.clock_file is not None:
        log.warning("the time comes from %s (TIMEBOX_CLOCK_FILE: tests only)", settings.clock_file)
        clock = FileClock(settings.clock_file)
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
    # Everything loaded so far lives as long as the process: keeping it out of the garbage
    # collector's full passes keeps those passes (and the acks they would hold up) short.
    gc.freeze()
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
    # No new sweeps; the one in progress finishes its jobs (the ticker's shutdown would cancel
    # it halfway, leaving its jobs to wait for their leases to run out).
    ticker.pause()
    await services.jobs.close(timeout=10)
    ticker.shutdown(wait=False)
    log.info("shutting down: waiting for %s listener(s) to finish", services.inflight.busy)
    await services.inflight.drain(timeout=10)
    await db.dispose()
