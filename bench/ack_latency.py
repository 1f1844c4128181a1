"""Ack latency of `/backlog` with an empty backlog and with 5,000 items, in one run.

The real app runs in HTTP mode against the Slack emulator on 127.0.0.1, on a fresh SQLite
file. Requests go one at a time, each signed as Slack signs it; after each ack the benchmark
waits for the listener to finish, so every request meets an idle app. It also counts Web API
calls (response_url posts included) that happened before the ack reached the client: the
target is none.

    .venv/bin/python bench/ack_latency.py [--requests 300] [--items 5000]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import run
from bot.domain.backlog import ItemFields
from bot.emulator.driver import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.runtime.clock import SystemClock
from storage.db import Database

USER = "U0BENCH"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def measure(stack: LocalStack, driver: SlackDriver, channel: str, n: int) -> dict:
    latencies, early_calls = [], 0
    for _ in range(n):
        calls_before = len(stack.emulator.calls)
        ack = await driver.command("/backlog", "", user=USER, channel=channel)
        assert ack.status == 200, ack
        early_calls += len(stack.emulator.calls) - calls_before
        latencies.append(ack.elapsed_ms)
        await stack.settle()
    return {
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "early_calls": early_calls,
    }


async def main(requests: int, items: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        clock = SystemClock()
        async with db.transaction() as store:
            full = await store.ensure_team("T0TEAM", "C0FULL", clock.now())
            for n in range(items):
                await store.add_item(full, ItemFields(title=f"Item {n}"), USER, clock.now())
        stack = LocalStack(db, clock)
        stack.emulator.add_user(USER, "bench")
        stack.emulator.add_channel("C0EMPTY", "empty", members=[USER])
        stack.emulator.add_channel("C0FULL", "full", members=[USER])
        await stack.start()
        # A driver without settle: the ack is timed alone, then the work is awaited.
        driver = SlackDriver(
            stack.emulator, app_url=f"{stack.url}/slack/events", signing_secret=SIGNING_SECRET
        )
        try:
            await measure(stack, driver, "C0EMPTY", 20)  # warm-up: imports, caches, auth.test
            started = time.perf_counter()
            empty = await measure(stack, driver, "C0EMPTY", requests)
            full_result = await measure(stack, driver, "C0FULL", requests)
            took = time.perf_counter() - started
        finally:
            await driver.aclose()
            await stack.stop()
            await db.dispose()
    print(f"/backlog ack latency, {requests} sequential requests per case ({took:.1f} s in all)")
    for name, result in (("empty backlog", empty), (f"{items} items", full_result)):
        print(
            f"  {name:>14}: p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  "
            f"max {result['max']:6.2f} ms  Web API calls before ack: {result['early_calls']}"
        )
    ratio = full_result["p99"] / empty["p99"]
    print(f"  p99 ratio {items} items / empty: {ratio:.2f} (target <= 1.3)")


if __name__ == "__main__":
    run(main, __doc__, requests=300, items=5000)
