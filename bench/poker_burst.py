"""A burst of planning poker votes: 100 voters click a card within one second.

The real app runs in HTTP mode against the Slack emulator on 127.0.0.1, on a fresh SQLite
file, with the production settings (redraws of a poll coalesced to one a second). A channel of
100 developers starts a live round; every voter then clicks a card, the clicks spread evenly
over `--spread` seconds and sent concurrently, each signed as Slack signs it. The benchmark
waits, without cutting any pause short, until the bot is idle, then reports: the ack latency
of the clicks, the votes in the database (each voter exactly once), how many results were
posted (one reveal), how many `chat.update` calls redrew the poll and the smallest gap between
two of them, and how long the burst took to settle.

    .venv/bin/python bench/poker_burst.py [--voters 100] [--spread 1.0]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import run
from bot.domain.backlog import ItemFields
from bot.emulator.driver import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.runtime.clock import SystemClock
from storage.db import Database

CHANNEL = "C0POKER"
CARDS = ("3", "5", "8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def idle(stack: LocalStack) -> None:
    """Waits in real time until no work is in flight (no drain: pauses run their course)."""
    while stack.services.inflight.busy:  # noqa: ASYNC110 (a drain would cut pauses short)
        await asyncio.sleep(0.01)


async def main(voters: int, spread: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        clock = SystemClock()
        async with db.transaction() as store:
            team = await store.ensure_team("T0TEAM", CHANNEL, clock.now())
            await store.add_item(team, ItemFields(title="Checkout"), "U0V000", clock.now())
        stack = LocalStack(db, clock)
        users = [f"U0V{n:03d}" for n in range(voters)]
        for user in users:
            stack.emulator.add_user(user, f"voter{user[3:]}")
        stack.emulator.add_channel(CHANNEL, "poker", members=[*users, "UBOT"])
        await stack.start()
        driver = SlackDriver(
            stack.emulator, app_url=f"{stack.url}/slack/events", signing_secret=SIGNING_SECRET
        )
        try:
            await driver.command("/poker", "1", user=users[0], channel=CHANNEL)
            await idle(stack)
            [poll] = [m for m in stack.emulator.messages(CHANNEL) if m.user == "UBOT"]
            calls_before = len(stack.emulator.calls)

            async def click(n: int, user: str) -> float:
                await asyncio.sleep(spread * n / voters)
                ack = await driver.click(CARDS[n % len(CARDS)], user=user, message=poll)
                assert ack.status == 200, ack
                return ack.elapsed_ms

            started = time.perf_counter()
            latencies = await asyncio.gather(*(click(n, u) for n, u in enumerate(users)))
            clicked = time.perf_counter() - started
            await idle(stack)
            settled = time.perf_counter() - started
        finally:
            await driver.aclose()
            await stack.stop()
        async with db.transaction() as store:
            ballots = (await store.ballots([1]))[1]
        await db.dispose()
    calls = stack.emulator.calls[calls_before:]
    updates = [c for c in calls if c.method == "chat.update" and c.args.get("ts") == poll.ts]
    gaps = [b.at - a.at for a, b in pairwise(updates)]
    results = [c for c in calls if c.method == "chat.postMessage" and c.args.get("thread_ts")]
    print(f"planning poker burst: {voters} voters clicking within {spread:.1f} s")
    print(
        f"  ack latency: p50 {statistics.median(latencies):6.2f} ms  "
        f"p99 {percentile(latencies, 99):6.2f} ms  max {max(latencies):6.2f} ms"
    )
    print(
        f"  votes recorded: {len(ballots)} rows, {len({b.voter for b in ballots})} voters "
        f"(expected {voters} and {voters})"
    )
    print(f"  results posted: {len(results)} (expected 1: one reveal)")
    print(
        f"  chat.update of the poll: {len(updates)} calls for {voters} votes; smallest gap "
        f"{min(gaps) if gaps else float('nan'):.2f} s (target >= ~1 s)"
    )
    final = stack.emulator.find_message(CHANNEL, poll.ts)
    exact = final is not None and "Revealed:" in str(final.blocks)
    print(f"  the poll message ends revealed: {'yes' if exact else 'NO'}")
    print(f"  clicks sent in {clicked:.2f} s; all work settled after {settled:.2f} s")
    print(f"  emulator problems: {len(stack.emulator.problems)}")


if __name__ == "__main__":
    run(main, __doc__, voters=100, spread=1.0)
