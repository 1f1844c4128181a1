"""How late meeting timers fire under load: 200 refinement sessions running at once.

The real app in HTTP mode against the Slack emulator on 127.0.0.1, with the server's own
ticker (APScheduler calling `run_due` every second) and the system clock. Each meeting is
started with a signed `/refine start 20m`: its 2-minute kick-off has a warning after one minute
and a time-up after two.
Lateness is the time from a timer's due moment to the Slack message that announces it.

    .venv/bin/python bench/timers.py [--meetings 200]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from agendas import engine
from bench.cli import run
from bot.emulator.stack import LocalStack
from bot.runtime.clock import SystemClock
from storage.db import Database

USER = "U0SM"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def main(meetings: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        clock = SystemClock()
        stack = LocalStack(db, clock)
        stack.emulator.add_user(USER, "sam")
        for n in range(meetings):
            stack.emulator.add_channel(f"C{n:05d}", f"team-{n}", members=[USER, "UBOT"])
        await stack.start()
        ticker = AsyncIOScheduler(timezone=UTC)
        ticker.add_job(
            stack.services.jobs.run_due, IntervalTrigger(seconds=1), max_instances=1, coalesce=True
        )
        ticker.start()
        try:
            # Stagger the starts over ~20 s so timers spread as in real life.
            for n in range(meetings):
                ack = await stack.driver.command(
                    "/refine", "start 20m", user=USER, channel=f"C{n:05d}"
                )
                assert ack.status == 200
                await asyncio.sleep(0.1)
            # Wait until every kick-off's time-up has been announced.
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                async with db.transaction() as store:
                    pending = await store.pending(engine.TIMER)
                    due_now = [j for j in pending if j.due_at <= clock.now() and "up" in j.key]
                ups = [
                    m
                    for ch in range(meetings)
                    for m in stack.emulator.messages(f"C{ch:05d}")
                    if "Time is up" in m.text
                ]
                if len(ups) >= meetings and not due_now:
                    break
                await asyncio.sleep(1)
            async with db.transaction() as store:
                from sqlalchemy import select

                from storage.models import ScheduledJob

                jobs = (
                    await store.session.scalars(
                        select(ScheduledJob).where(
                            ScheduledJob.kind == engine.TIMER, ScheduledJob.done_at.is_not(None)
                        )
                    )
                ).all()
            lateness = []
            for job in jobs:
                if job.outcome not in ("warn", "up"):
                    continue
                lateness.append((job.done_at - job.due_at).total_seconds())
        finally:
            ticker.shutdown(wait=False)
            await stack.stop()
            await db.dispose()
    print(f"{meetings} meetings running; {len(lateness)} timers fired (warnings and time-ups)")
    print(
        f"  lateness from due to announced in Slack: p50 {statistics.median(lateness):.2f} s, "
        f"p99 {percentile(lateness, 99):.2f} s, max {max(lateness):.2f} s (target: within 2 s)"
    )


if __name__ == "__main__":
    run(main, __doc__, meetings=200)
