"""The real Timebox app in HTTP mode on 127.0.0.1, talking to a Slack emulator.

Tests and the local sandbox both start Timebox this way: the same Bolt app, the same aiohttp
server and signed requests as in production, with the Slack Web API swapped for the emulator.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.emulator.driver import SlackDriver
from bot.emulator.server import SlackEmulator
from bot.process.app import create_app
from bot.process.server import web_app
from bot.runtime.clock import Clock
from bot.runtime.config import Settings
from bot.runtime.services import Services
from storage.db import Database

SIGNING_SECRET = "timebox-local-signing-secret"


class LocalStack:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        emulator: SlackEmulator | None = None,
        settings: Mapping[str, Any] | None = None,
        **emulator_options: Any,
    ) -> None:
        """`emulator`: share a running one, as a restarted bot meets the same Slack.
        `settings`: fields of `Settings` to change (e.g. OAuth instead of a bot token)."""
        self.db = db
        self._settings = dict(settings or {})
        self.clock = clock
        self._owns_emulator = emulator is None
        self.emulator = emulator or SlackEmulator(now=lambda: clock.now(), **emulator_options)
        self._runner: web.AppRunner | None = None
        self.services: Services
        self.driver: SlackDriver
        self.url = ""

    async def start(self, port: int = 0) -> LocalStack:
        if self._owns_emulator:
            await self.emulator.start()
        settings = Settings(
            bot_token=self.emulator.bot_token,
            signing_secret=SIGNING_SECRET,
            app_token=None,
            database_url=self.db.url,
            slack_api_url=self.emulator.api_url,
            port=port,
            log_level="INFO",
        )
        settings = dataclasses.replace(settings, **self._settings)
        self.services = Services(settings=settings, db=self.db, clock=self.clock)
        self.app = create_app(self.services)
        self._runner = web.AppRunner(web_app(self.app, self.services))
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
        )
        return self

    async def settle(self) -> None:
        """Waits until every listener has finished the work it started after its ack."""
        await self.services.inflight.drain(timeout=30)

    async def stop(self) -> None:
        await self.driver.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._owns_emulator:
            await self.emulator.stop()
