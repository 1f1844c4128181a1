"""Operations: structured logs that name their Slack request, and a /healthz that watches the
database and the scheduler."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.emulator.stack import LocalStack
from bot.process.server import web_app
from bot.runtime import logs
from bot.runtime.config import ConfigError, load_settings
from tests.app.test_backlog_slack import last_ephemeral
from tests.conftest import CHANNEL, DEV1, PO, SM
from tests.fleet import run_cli

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


# -- the setting ---------------------------------------------------------------------------------


def test_log_format_is_text_by_default_json_on_request_and_anything_else_refused():
    assert load_settings(BASE, dotenv=None).log_format == "text"
    assert load_settings({**BASE, "TIMEBOX_LOG_FORMAT": "JSON"}, dotenv=None).log_format == "json"
    with pytest.raises(ConfigError, match=r"TIMEBOX_LOG_FORMAT must be text .* or json"):
        load_settings({**BASE, "TIMEBOX_LOG_FORMAT": "xml"}, dotenv=None)


def test_a_bad_log_format_stops_start_up_with_one_line(tmp_path):
    result = run_cli("migrate", tmp_path, **BASE, TIMEBOX_LOG_FORMAT="logfmt")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "timebox: TIMEBOX_LOG_FORMAT must be text (the default) or json (one JSON object per line)."
    ]


# -- the format ----------------------------------------------------------------------------------


@contextmanager
def captured(fmt: str = "json") -> Iterator[io.StringIO]:
    """Everything logged at INFO and above, through the handler `timebox run` installs."""
    out = io.StringIO()
    handler = logs.handler(fmt, out)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def records(out: io.StringIO) -> list[dict[str, Any]]:
    """Each line must be one JSON object: a line that is not fails the test here."""
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_logs_are_one_object_per_line_with_the_bound_request():
    log = logging.getLogger("timebox.test")
    with captured() as out:
        log.info("outside any request")
        with logs.bind(team="T1", channel="C1", user="U1", request="R1"):
            log.warning('two\nlines and a quote " in %s', "here")
            try:
                raise ValueError("boom")
            except ValueError:
                log.exception("it failed")
        log.info("after the request")
    first, inside, failed, after = records(out)
    assert set(first) == {"time", "level", "logger", "message"}
    assert datetime.fromisoformat(first["time"]).tzinfo is not None, "times carry their zone"
    assert inside == {
        "time": inside["time"],
        "level": "WARNING",
        "logger": "timebox.test",
        "message": 'two\nlines and a quote " in here',
        "team": "T1",
        "channel": "C1",
        "user": "U1",
        "request": "R1",
    }
    assert failed["level"] == "ERROR" and "ValueError: boom" in failed["error"]
    assert "team" not in after, "the fields end with the request"
    assert len(out.getvalue().splitlines()) == 4, "a message or traceback never splits a record"


def test_text_logs_stay_as_they_were():
    with captured("text") as out, logs.bind(team="T1"):
        logging.getLogger("timebox.test").info("hello")
    line = out.getvalue().strip()
    assert line.endswith(" INFO timebox.test hello") and not line.startswith("{")


def test_request_ids_come_from_slack_or_are_made_up():
    assert logs.request_id({"event_id": "Ev1", "trigger_id": "1.2.3"}) == "Ev1"
    assert logs.request_id({"trigger_id": "1.2.3"}) == "1.2.3"
    made = {logs.request_id({}) for _ in range(3)}
    assert len(made) == 3 and all(len(m) == 32 for m in made)


async def test_every_record_of_a_slack_request_names_its_team_channel_user_and_request(slack):
    """A real request through the app: its own log lines and its error report carry its ids."""
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=CHANNEL)
    await slack.driver.command("/backlog", "add Export invoices", user=DEV1, channel=CHANNEL)
    with captured() as out:
        started = await slack.driver.command("/poker", "1", user=SM, channel=CHANNEL)
        slack.emulator.fail_next("views.open", status=200, error="fatal_error")
        broken = await slack.driver.command("/backlog", "edit 1", user=DEV1, channel=CHANNEL)
    lines = records(out)
    [poll] = [r for r in lines if r["message"].startswith("poker poll")]
    assert (poll["team"], poll["channel"], poll["user"]) == (
        slack.emulator.team_id,
        CHANNEL,
        SM,
    )
    assert poll["request"] == started.sent["trigger_id"]
    [error] = [r for r in lines if r["message"].startswith("unhandled error")]
    assert (error["channel"], error["user"], error["level"]) == (CHANNEL, DEV1, "ERROR")
    assert error["request"] == broken.sent["trigger_id"] != poll["request"]
    assert "SlackApiError" in error["error"] and "fatal_error" in error["error"]
    reference = error["message"].split("ref=")[1].split()[0]
    assert reference in last_ephemeral(slack, DEV1).text, "the apology quotes the logged ref"


# -- /healthz ------------------------------------------------------------------------------------


async def get_health(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
        return response.status, await response.json()


async def test_healthz_through_the_app_reports_database_and_a_caller_driven_scheduler(slack):
    status, health = await get_health(slack.url)
    assert status == 200
    assert health == {
        "ok": True,
        "database": "ok",
        "scheduler": {"status": "swept by the caller"},
    }


async def test_healthz_is_503_when_the_database_does_not_answer(slack, monkeypatch):
    async def unreachable() -> bool:
        return False

    monkeypatch.setattr(slack.services.db, "ping", unreachable)
    status, health = await get_health(slack.url)
    assert (status, health["ok"], health["database"]) == (503, False, "unreachable")

    stuck = asyncio.Event()

    async def hanging() -> bool:
        await stuck.wait()  # a database that accepts the connection and never answers
        return True

    monkeypatch.setattr(slack.services.db, "ping", hanging)
    monkeypatch.setattr("bot.process.server.HEALTHZ_DB_TIMEOUT", 0.05)
    status, health = await get_health(slack.url)
    assert (status, health["database"]) == (503, "unreachable"), "the probe does not hang"


async def test_healthz_watches_the_tickers_sweeps(slack: LocalStack):
    """The app's own web app with the production ticker: fresh sweeps are healthy; no sweep for
    over two minutes (the injected clock moves, nobody sleeps) or a stopped ticker is a 503."""
    ticker = AsyncIOScheduler(timezone=UTC)
    swept = asyncio.Event()
    ticker.add_job(
        slack.services.jobs.run_due,
        IntervalTrigger(hours=1),  # once now, then not again during the test
        id="due-work",
        next_run_time=datetime.now(UTC),
        max_instances=1,
    )
    served = web_app(slack.app, slack.services, ticker)
    ticker.add_listener(lambda _: swept.set(), EVENT_JOB_EXECUTED)
    runner = web.AppRunner(served)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}"
    try:
        ticker.start()
        await asyncio.wait_for(swept.wait(), 10)
        status, health = await get_health(url)
        assert (status, health["scheduler"]) == (
            200,
            {"status": "ok", "ticker": "running", "last_sweep_seconds_ago": 0.0},
        )
        slack.clock.advance(timedelta(minutes=3))
        status, health = await get_health(url)
        assert (status, health["ok"], health["database"]) == (503, False, "ok")
        assert health["scheduler"] == {
            "status": "stale",
            "ticker": "running",
            "last_sweep_seconds_ago": 180.0,
        }
        ticker.shutdown(wait=False)
        status, health = await get_health(url)
        assert (status, health["scheduler"]["status"], health["scheduler"]["ticker"]) == (
            503,
            "stopped",
            "stopped",
        )
    finally:
        if ticker.running:
            ticker.shutdown(wait=False)
        await runner.cleanup()
