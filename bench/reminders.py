"""1,000 channels whose readiness reminders fall due in the same minute, against rate limits.

The real app (job runner, Slack client with slack_sdk's retry handlers) posts to the Slack
emulator on 127.0.0.1, which enforces a workspace-wide budget on chat.postMessage and answers
429 with Retry-After beyond it. Checks that every channel gets exactly one reminder, and
reports the total time against the lower bound the budget allows, and peak memory.

    .venv/bin/python bench/reminders.py [--channels 1000] [--per-minute 500]
"""

from __future__ import annotations

import asyncio
import math
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import run
from bot.domain import reminders
from bot.domain.backlog import ItemFields
from bot.emulator.stack import LocalStack
from bot.runtime.clock import SystemClock
from storage.db import Database

USER = "U0PO"


async def main(channels: int, per_minute: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        clock = SystemClock()
        due = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
        async with db.transaction() as store:
            for n in range(channels):
                team = await store.ensure_team("T0TEAM", f"C{n:05d}", clock.now())
                team.remind_at = "09:30"
                await store.add_item(team, ItemFields(title=f"Item of team {n}"), USER, clock.now())
                await store.schedule(
                    reminders.KIND, reminders.job_key(team, due), due, {"team_id": team.id}
                )
        stack = LocalStack(db, clock)
        stack.emulator.add_user(USER, "po")
        for n in range(channels):
            stack.emulator.add_channel(f"C{n:05d}", f"team-{n}", members=[USER])
        stack.emulator.rate_limit("chat.postMessage", per_minute=per_minute, per_channel=False)
        await stack.start()
        try:
            # Jump to the due minute: all reminders are due at once.
            wait = (due - clock.now()).total_seconds()
            await asyncio.sleep(max(0.0, wait))
            started = time.perf_counter()
            ran = 0
            while True:
                ran += await stack.services.jobs.run_due()
                async with db.transaction() as store:
                    pending = [
                        j for j in await store.pending(reminders.KIND) if j.due_at <= clock.now()
                    ]
                if not pending:
                    break
                await asyncio.sleep(1)  # a failed job's retry waits for its backoff
            took = time.perf_counter() - started
            calls = stack.emulator.calls_to("chat.postMessage")
            delivered = Counter(c.args["channel"] for c in calls if c.http_status == 200)
            limited = sum(1 for c in calls if c.http_status == 429)
        finally:
            await stack.stop()
            await db.dispose()
    exactly_once = len(delivered) == channels and set(delivered.values()) == {1}
    bound = 60 * (math.ceil(channels / per_minute) - 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{channels} channels due in the same minute; chat.postMessage budget {per_minute}/min")
    print(
        f"  jobs run: {ran}; reminders delivered: {sum(delivered.values())}; "
        f"exactly once per channel: {exactly_once}"
    )
    print(f"  429 answers: {limited} (each retried after Retry-After)")
    print(f"  total time: {took:.1f} s; lower bound set by the budget: {bound} s")
    print(f"  peak RSS: {peak_mb:.0f} MB")
    if not exactly_once:
        raise SystemExit("some channel did not get exactly one reminder")


if __name__ == "__main__":
    run(main, __doc__, channels=1000, per_minute=500)
