"""The real Timebox app on 127.0.0.1, talking to a Slack emulator.

Tests and the local sandbox both start Timebox this way: the same Bolt app as in production,
with the Slack Web API swapped for the emulator. In HTTP mode (the default) it is served by
the same aiohttp server and receives the same signed requests; in Socket Mode it connects to
the emulator's WebSocket as the README's quick install connects to Slack, with one or more
instances (each with its own services and database connections, as separate processes
would have) sharing the emulator's envelopes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.emulator.driver import SlackDriver
from bot.emulator.github import GitHubEmulator
from bot.emulator.linear import LinearEmulator
from bot.emulator.server import SlackEmulator
from bot.process import access_log
from bot.process.app import create_app
from bot.process.server import web_app
from bot.process.socket_mode import SocketModeHandler
from bot.runtime.clock import Clock
from bot.runtime.config import Settings
from bot.runtime.services import Services
from storage.db import Database

SIGNING_SECRET = "timebox-local-signing-secret"
CONNECT_SECONDS = 10.0

TRACKER_EMULATORS: dict[str, Callable[..., Any]] = {
    # kind -> the emulator's class; it takes ``now=`` and has start(), stop(), host_setting.
    "github": GitHubEmulator,
    "linear": LinearEmulator,
}
"""The trackers the local stack can start beside Slack (``LocalStack.start_tracker``)."""


@dataclass
class Instance:
    """One running copy of the app: what one `timebox run` process holds."""

    name: str
    services: Services
    app: AsyncApp
    db: Database
    handler: SocketModeHandler | None = None
    """Socket Mode: its connection to Slack (None in HTTP mode)."""
    envelopes: list[str] = field(default_factory=list)
    """Socket Mode: the ids of the envelopes that reached this instance, in order."""


class LocalStack:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        emulator: SlackEmulator | None = None,
        settings: Mapping[str, Any] | None = None,
        *,
        socket_mode: bool = False,
        instances: int = 1,
        **emulator_options: Any,
    ) -> None:
        """`emulator`: share a running one, as a restarted bot meets the same Slack.
        `settings`: fields of `Settings` to change (e.g. OAuth instead of a bot token).
        `socket_mode`: connect over the emulator's Socket Mode (the app-level token) instead
        of serving HTTP; `instances`: how many copies of the app connect (Socket Mode only:
        in HTTP mode each copy would need a request URL of its own)."""
        if instances < 1 or (instances > 1 and not socket_mode):
            raise ValueError("several instances need socket_mode=True")
        self.db = db
        self._settings = dict(settings or {})
        self.clock = clock
        self.socket_mode = socket_mode
        self._count = instances
        self._owns_emulator = emulator is None
        self.emulator = emulator or SlackEmulator(now=lambda: clock.now(), **emulator_options)
        self._runner: web.AppRunner | None = None
        self.instances: list[Instance] = []
        self.services: Services
        """The first instance's services (the only one's, unless `instances` > 1)."""
        self.app: AsyncApp
        self.driver: SlackDriver
        self.url = ""
        self.trackers: dict[str, Any] = {}
        """Tracker emulators started beside Slack (``start_tracker``), by kind."""

    async def start_tracker(self, kind: str, **options: Any) -> Any:
        """A tracker's emulator (``TRACKER_EMULATORS``) on this stack's clock, started now and
        stopped with the stack. Letting the bot call it (TIMEBOX_TRACKER_HOSTS, its
        ``host_setting``) is the caller's business."""
        emulator = TRACKER_EMULATORS[kind](now=self.clock.now, **options)
        await emulator.start()
        self.trackers[kind] = emulator
        return emulator

    async def start(self, port: int = 0) -> LocalStack:
        if self._owns_emulator:
            await self.emulator.start()
        settings = Settings(
            bot_token=self.emulator.bot_token,
            signing_secret=None if self.socket_mode else SIGNING_SECRET,
            app_token=self.emulator.app_token if self.socket_mode else None,
            database_url=self.db.url,
            slack_api_url=self.emulator.api_url,
            port=port,
            log_level="INFO",
        )
        settings = dataclasses.replace(settings, **self._settings)
        for n in range(self._count):
            db = self.db if n == 0 else Database(self.db.url)
            services = Services(settings=settings, db=db, clock=self.clock)
            self.instances.append(Instance(f"instance-{n + 1}", services, create_app(services), db))
        self.services, self.app = self.instances[0].services, self.instances[0].app
        if self.socket_mode:
            await self._connect(settings)
        else:
            self._runner = access_log.runner(web_app(self.app, self.services))
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", port)
            await site.start()
            host, bound = self._runner.addresses[0][:2]
            self.url = f"http://{host}:{bound}"
        self.driver = SlackDriver(
            self.emulator,
            app_url=f"{self.url}/slack/events",
            signing_secret=SIGNING_SECRET,
            settle=self.settle,
            socket_mode=self.socket_mode,
        )
        return self

    async def _connect(self, settings: Settings) -> None:
        """Each instance opens its Socket Mode connection; returns once all are up."""
        socket = self.emulator.socket_mode
        before = len(socket.usable)
        for instance in self.instances:
            handler = SocketModeHandler(instance.app, instance.services, settings.app_token)
            handler.client.socket_mode_request_listeners.insert(0, _recorder(instance))
            instance.handler = handler
        await asyncio.gather(*(i.handler.connect_async() for i in self.instances if i.handler))
        await socket.connected(before + len(self.instances), timeout=CONNECT_SECONDS)

    async def settle(self) -> None:
        """Waits until every listener of every instance has finished the work it started
        after its ack."""
        await asyncio.gather(*(i.services.inflight.drain(timeout=30) for i in self.instances))

    async def stop(self) -> None:
        await self.driver.aclose()
        for instance in self.instances:
            if instance.handler is not None:
                await instance.handler.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
        for instance in self.instances[1:]:
            with contextlib.suppress(TimeoutError):  # work still running may finish first
                await instance.services.inflight.drain(timeout=5)
            await instance.db.dispose()
        if self._owns_emulator:
            await self.emulator.stop()
        for tracker in self.trackers.values():
            await tracker.stop()


def _recorder(instance: Instance) -> Any:
    async def record(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        instance.envelopes.append(request.envelope_id)

    return record
