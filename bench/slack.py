"""What the benchmarks that run the bot in a process of its own set up around it: a fresh
SQLite file with each channel's team and backlog, and the driver that sends it Slack's
requests as the emulator's workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.domain.backlog import ItemFields
from bot.emulator.driver import SlackDriver
from bot.emulator.server import SlackEmulator
from bot.runtime.clock import SystemClock
from bot.runtime.config import Settings
from bot.runtime.services import Services
from storage.db import Database


async def seeded_database(
    folder: Path, team_id: str, author: str, backlogs: dict[str, list[str]]
) -> tuple[Database, str]:
    """A migrated SQLite file in `folder` with a team for each channel of `backlogs` and its
    items (titles) added by `author`; the database and its URL."""
    database_url = f"sqlite:///{folder / 'bench.db'}"
    db = Database(database_url)
    await db.migrate()
    clock = SystemClock()
    async with db.transaction() as store:
        for channel, titles in backlogs.items():
            team = await store.ensure_team(team_id, channel, clock.now())
            for title in titles:
                await store.add_item(team, ItemFields(title=title), author, clock.now())
    return db, database_url


def bench_services(db: Database, **slack: Any) -> Services:
    """The bot's services in the benchmark's own process, on `db`: HTTP mode, warnings only;
    `slack` sets the bot token, signing secret, Web API URL and port (else ones no request
    reaches)."""
    fields = {
        "bot_token": "xoxb-bench",
        "signing_secret": "x",
        "slack_api_url": "http://127.0.0.1:9/api/",
        "port": 0,
        **slack,
    }
    settings = Settings(app_token=None, database_url=db.url, log_level="WARNING", **fields)
    return Services(settings=settings, db=db, clock=SystemClock())


def bot_driver(emulator: SlackEmulator, port: int, signing_secret: str) -> SlackDriver:
    """The driver for a bot on `port` of 127.0.0.1 (HTTP mode)."""
    return SlackDriver(
        emulator, app_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=signing_secret
    )
