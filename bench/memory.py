"""Memory: the bot's resident set with 1,000 teams and 50,000 backlog items.

A fresh SQLite file gets 1,000 teams (channels) and 50,000 items through the Store, in bulk
(one INSERT per batch instead of the domain's one-by-one add: same rows, much faster). The
real app then runs in HTTP mode against the Slack emulator on 127.0.0.1, in this process, and
serves `/backlog` pages 1 to 5 of the ten biggest teams (2,000 items each) plus page 1 of 100
small ones. RSS is read from /proc/self/status after each step; the figure includes the
emulator and the client, which production does not carry. Target: under 150 MB.

    .venv/bin/python bench/memory.py [--teams 1000] [--items 50000]
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.cli import run
from bot.emulator.driver import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.runtime.clock import SystemClock
from storage.db import Database
from storage.models import BacklogItem

USER = "U0MEMORY"
BIG_TEAMS = 10
BIG_ITEMS = 2000
BATCH = 5000


def rss() -> tuple[float, float]:
    """(resident now, peak) in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def report(step: str) -> float:
    gc.collect()
    now, peak = rss()
    print(f"  {step:<58} RSS {now:6.1f} MB (peak {peak:6.1f} MB)")
    return now


def channel(n: int) -> str:
    return f"C{n:07d}"


async def load(db: Database, teams: int, items: int) -> None:
    """Teams through the Store; items in bulk: 10 teams of 2,000 and the rest spread evenly."""
    now = SystemClock().now()
    sizes = [BIG_ITEMS] * BIG_TEAMS
    rest, small = items - BIG_ITEMS * BIG_TEAMS, teams - BIG_TEAMS
    sizes += [rest // small + (1 if n < rest % small else 0) for n in range(small)]
    async with db.transaction() as store:
        team_ids = [(await store.ensure_team("T0MEM", channel(n), now)).id for n in range(teams)]

    def rows() -> Iterator[dict[str, object]]:
        for team_id, size in zip(team_ids, sizes, strict=True):
            for number in range(1, size + 1):
                yield {
                    "team_id": team_id,
                    "number": number,
                    "title": f"As a customer I want item {number} so that the backlog is real",
                    "hypothesis": "By doing this we expect fewer support tickets" * (number % 2),
                    "type": "story",
                    "acceptance_criteria": ["it works", "it is fast"][: number % 3],
                    "dependencies": [],
                    "estimate": float(number % 13) or None,
                    "labels": ["bench"],
                    "status": "new",
                    "rank": float(number),
                    "checklist": {},
                    "created_by": USER,
                    "created_at": now,
                    "updated_at": now,
                }

    source = rows()
    while batch := list(islice(source, BATCH)):  # a batch at a time: the loader stays small
        async with db.transaction() as store:
            await store.session.execute(insert(BacklogItem), batch)
    async with db.transaction() as store:
        for team_id, size in zip(team_ids, sizes, strict=True):
            team = await store.team_by_id(team_id)
            assert team is not None
            team.next_number = size + 1


async def main(teams: int, items: int) -> None:
    print(f"memory with {teams} teams and {items} items")
    report("started (imports)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        started = time.perf_counter()
        await load(db, teams, items)
        loaded = time.perf_counter() - started
        report(f"{items} items in {teams} teams loaded ({loaded:.1f} s)")
        stack = LocalStack(db, SystemClock(), team_id="T0MEM")
        stack.emulator.add_user(USER, "memory")
        for n in [*range(BIG_TEAMS), *range(BIG_TEAMS, BIG_TEAMS + 100)]:
            stack.emulator.add_channel(channel(n), f"team-{n}", members=[USER, "UBOT"])
        await stack.start()
        driver = SlackDriver(
            stack.emulator, app_url=f"{stack.url}/slack/events", signing_secret=SIGNING_SECRET
        )
        try:
            report("app running")
            served = 0
            for n in range(BIG_TEAMS):
                for page in range(1, 6):
                    ack = await driver.command("/backlog", str(page), user=USER, channel=channel(n))
                    assert ack.status == 200
                    served += 1
            for n in range(BIG_TEAMS, BIG_TEAMS + 100):
                await driver.command("/backlog", "", user=USER, channel=channel(n))
                served += 1
            await stack.settle()
            pages = [e for e in stack.emulator.ephemerals() if "Product backlog" in e.text]
            assert len(pages) == served, f"{len(pages)} of {served} pages answered"
            final = report(f"{served} /backlog pages served")
        finally:
            await driver.aclose()
            await stack.stop()
            await db.dispose()
    _, peak = rss()
    print(f"  target: under 150 MB: {'met' if max(final, peak) < 150 else 'NOT met'}")


if __name__ == "__main__":
    run(main, __doc__, teams=1000, items=50000)
