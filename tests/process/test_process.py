"""`timebox run` as a real process: migrates, serves Slack over HTTP, stops cleanly on SIGTERM."""

from __future__ import annotations

import aiohttp

from bot.emulator import SlackDriver
from tests.fleet import SECRET, run_cli, sigterm, single_run, until


async def test_run_serves_slack_and_stops_cleanly_on_sigterm(emulator, tmp_path):
    async with single_run(emulator, tmp_path) as (process, url):
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                try:
                    async with http.get(f"{url}/healthz") as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            await until(healthy, "/healthz")
        driver = SlackDriver(emulator, app_url=f"{url}/slack/events", signing_secret=SECRET)
        async with driver:
            ack = await driver.command(
                "/backlog", "add Hello from a real process", user="U1", channel="C1"
            )
            assert ack.status == 200

            async def answered() -> bool:
                return any("Hello from a real process" in e.text for e in emulator.ephemerals())

            await until(answered, "the bot's answer")
        output = await sigterm(process)
    assert "shutting down" in output
    assert (tmp_path / "timebox.db").exists(), "migrations created the SQLite file"


def test_migrate_applies_migrations_and_exits(tmp_path):
    result = run_cli(
        "migrate",
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_SIGNING_SECRET="s",
        DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}",
    )
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    import sqlite3

    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "m.db").execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"teams", "backlog_items", "item_events", "alembic_version"} <= tables
