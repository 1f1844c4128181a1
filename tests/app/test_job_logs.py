"""The log says what the scheduler did, not that a second passed (issue 13, point 11).

The server's own ticker (`scheduling.ticker`, the one `timebox run` starts) sweeps due work
every second. Sixty of its ticks with nothing due write no INFO line (APScheduler said
"Running job ..." and "... executed successfully" on each: 170,000 lines a day); a job that
runs writes one line naming its kind, key and outcome. Ticks are driven without sleeping:
each is made due at once and awaited through APScheduler's own "executed" event.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from bot.emulator.stack import LocalStack
from bot.runtime import scheduling
from tests.app.test_ready_slack import bot_posts, make_team, ready
from tests.process.test_logs import captured


@contextmanager
def production_ticker(slack: LocalStack) -> Iterator[tuple[object, asyncio.Queue[int]]]:
    """The server's ticker over the app's job runner; a queue gets an item per finished tick."""
    ticker = scheduling.ticker(slack.services.jobs.run_due)
    ticks: asyncio.Queue[int] = asyncio.Queue()
    ticker.add_listener(lambda event: ticks.put_nowait(event.code), EVENT_JOB_EXECUTED)
    ticker.add_listener(lambda event: ticks.put_nowait(event.code), EVENT_JOB_ERROR)
    try:
        yield ticker, ticks
    finally:
        if ticker.running:
            ticker.shutdown(wait=False)
        logging.getLogger("apscheduler").setLevel(logging.NOTSET)


async def tick(slack: LocalStack, ticker: object, ticks: asyncio.Queue[int]) -> None:
    """One tick of the ticker, now: its sweep runs and finishes."""
    ticker.get_job("due-work").modify(next_run_time=datetime.now(UTC))  # type: ignore[attr-defined]
    ticker.wakeup()  # type: ignore[attr-defined]
    assert await asyncio.wait_for(ticks.get(), 10) == EVENT_JOB_EXECUTED
    await slack.settle()


def info_lines(out: io.StringIO) -> list[str]:
    return [line for line in out.getvalue().splitlines() if " INFO " in line]


async def test_a_minute_of_ticks_with_nothing_due_writes_no_info_line(slack):
    await make_team(slack, ["Export invoices"])
    with production_ticker(slack) as (ticker, ticks), captured("text") as out:
        ticker.start()  # type: ignore[attr-defined]
        for _ in range(60):
            slack.clock.advance(timedelta(seconds=1))
            await tick(slack, ticker, ticks)
    assert info_lines(out) == []
    assert "Running job" not in out.getvalue() and "executed successfully" not in out.getvalue()


async def test_a_due_job_writes_one_line_naming_it(slack):
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 09:30")
    slack.clock.set(datetime(2026, 3, 3, 8, 25, tzinfo=UTC))  # 09:25 in Berlin
    with production_ticker(slack) as (ticker, ticks), captured("text") as out:
        ticker.start()  # type: ignore[attr-defined]
        for _ in range(5 * 60):  # five minutes of ticks up to the reminder's 09:30
            await tick(slack, ticker, ticks)
            slack.clock.advance(timedelta(seconds=1))
        await tick(slack, ticker, ticks)
        for _ in range(60):  # a quiet minute after it
            slack.clock.advance(timedelta(seconds=1))
            await tick(slack, ticker, ticks)
    assert len(bot_posts(slack)) == 1, "the reminder was sent"
    lines = info_lines(out)
    reminder = [line for line in lines if "readiness_reminder" in line]
    assert len(reminder) == 1, lines
    [line] = reminder
    assert "ran readiness_reminder job reminder:" in line
    assert "(due 2026-03-03T08:30:00+00:00, 0s late): sent: 1 unready" in line
    posts = [line for line in lines if "slack_post" in line]
    assert len(posts) == 1 and "ran slack_post job post:reminder:" in posts[0], lines
    assert len(lines) == 2, "nothing else: the ticks say nothing"
