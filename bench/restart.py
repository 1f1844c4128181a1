"""Restart -> first answered request: `timebox run` as a real process, HTTP mode, SQLite.

Each run starts `python -m bot.process.cli run` (what `timebox run` runs) with the production
settings on a copy of a SQLite file holding a team with a 200-item backlog, against the Slack
emulator on 127.0.0.1, and times from the spawn of the process until it answers: GET /healthz
with 200, and a signed `/backlog` command acked with 200 (the first Slack request served: Bolt,
the listeners and the database all loaded). Both are sent every 5 ms from the spawn on. The
process is then stopped with SIGTERM and the next run starts once it has exited, as a restart
does. One start before the runs is not counted: Python compiles the modules once and keeps
them in __pycache__, and the files are in the OS's cache, as on a server that ran before.

Two series, alternating: the schema up to date (the usual restart), and one migration pending
(the file one revision behind: a release with a new migration). Reported: the median and the
slowest run of each, the process's CPU time by its first ack, and how long the stops took.
Target: at most 1 s up to date. (`timebox run` finishes starting after its first ack: the
tracker clients, the ticker. A /healthz asked at the same moment may be answered after that.)

    .venv/bin/python bench/restart.py [--runs 10]
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.cli import run
from bench.process import TIMEBOX_RUN, bot_env, cpu_seconds, free_port, load, spawn
from bot.domain.backlog import ItemFields
from bot.emulator.driver import SlackDriver
from bot.emulator.server import SlackEmulator
from bot.runtime.clock import SystemClock
from storage.db import Database

CHANNEL = "C0RESTART"
USER = "U0RESTART"
SECRET = "bench-signing-secret"
POLL = 0.005  # seconds between two tries while the process is not listening yet


async def templates(emulator: SlackEmulator, folder: Path, items: int) -> tuple[Path, Path]:
    """Two SQLite files: migrated to the head with a team and its backlog, and the same
    one revision behind (the head's migration pending)."""
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    current, behind = folder / "current.db", folder / "behind.db"
    db = Database(f"sqlite:///{current}")
    await db.migrate()
    clock = SystemClock()
    async with db.transaction() as store:
        team = await store.ensure_team(emulator.team_id, CHANNEL, clock.now())
        for n in range(items):
            await store.add_item(team, ItemFields(title=f"Item {n}"), USER, clock.now())
    await db.dispose()
    shutil.copy(current, behind)
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_revision(scripts.get_current_head())
    assert head is not None and isinstance(head.down_revision, str)
    db = Database(f"sqlite:///{behind}")
    await db.downgrade(head.down_revision)
    await db.dispose()
    return current, behind


def fresh_copy(template: Path, database: Path) -> Path:
    for leftover in database.parent.glob(f"{database.name}*"):  # the last run's, WAL included
        leftover.unlink()
    shutil.copy(template, database)
    return database


async def first_answer(
    send: Callable[[], Awaitable[int]], started: float, pid: int
) -> tuple[float, float]:
    """Seconds from `started` until `send()` is answered with 200, and the process's CPU
    seconds by then."""
    while True:
        try:
            if await send() == 200:
                return time.perf_counter() - started, cpu_seconds(pid)
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(POLL)


@dataclass
class Start:
    """One start, in seconds from the spawn: /healthz 200, the first ack; the process's CPU
    time by the first ack (what the start costs whatever else the machine does); SIGTERM to
    exit."""

    health: float
    ack: float
    cpu: float
    stop: float


async def start_once(
    emulator: SlackEmulator, template: Path, folder: Path, env: dict[str, str]
) -> Start:
    """One start on a fresh copy of `template`, then SIGTERM."""
    database = fresh_copy(template, folder / "run.db")
    port = free_port()
    env = {**env, "DATABASE_URL": f"sqlite:///{database}", "PORT": str(port)}
    url = f"http://127.0.0.1:{port}"
    driver = SlackDriver(emulator, app_url=f"{url}/slack/events", signing_secret=SECRET)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:

        async def healthz() -> int:
            async with http.get(f"{url}/healthz") as response:
                return response.status

        async def backlog() -> int:
            return (await driver.command("/backlog", "", user=USER, channel=CHANNEL)).status

        started = time.perf_counter()
        process = await spawn(TIMEBOX_RUN, env, folder)
        try:
            (health, _), (ack, cpu) = await asyncio.wait_for(
                asyncio.gather(
                    first_answer(healthz, started, process.pid),
                    first_answer(backlog, started, process.pid),
                ),
                60,
            )
            stopping = time.perf_counter()
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
            stopped = time.perf_counter() - stopping
            assert code == 0, f"timebox run exited with {code}"
        finally:
            await driver.aclose()
            if process.returncode is None:
                process.kill()
                await process.wait()
    return Start(health, ack, cpu, stopped)


async def main(runs: int, items: int) -> None:
    emulator = SlackEmulator(validate=False)
    emulator.add_user(USER, "restart")
    emulator.add_channel(CHANNEL, "restart", members=[USER, "UBOT"])
    await emulator.start()
    # DATABASE_URL and PORT are set per start
    env = bot_env(emulator.bot_token, SECRET, emulator.api_url, "", 0)
    series: dict[str, list[Start]] = {"up to date": [], "migration": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            current, behind = await templates(emulator, folder, items)
            await start_once(emulator, current, folder, env)  # compiles, fills the OS's cache
            for _ in range(runs):  # alternating, so that both meet the same machine
                series["up to date"].append(await start_once(emulator, current, folder, env))
                series["migration"].append(await start_once(emulator, behind, folder, env))
    finally:
        await emulator.stop()
    print(f"restart -> first answered request: `timebox run`, HTTP, SQLite, {runs} runs each")
    print(
        f"  {'schema':>10}  {'/healthz 200 s':>14}  {'first ack s':>12}  {'CPU by the ack':>14}"
        "   (median / max)"
    )
    for name, starts in series.items():
        figures = "  ".join(
            f"{statistics.median(values):5.2f} / {max(values):<5.2f}"
            for values in (
                [s.health for s in starts],
                [s.ack for s in starts],
                [s.cpu for s in starts],
            )
        )
        print(f"  {name:>10}  {figures}")
    stops = [s.stop for starts in series.values() for s in starts]
    print(f"  SIGTERM -> exited: median {statistics.median(stops):.2f} s, max {max(stops):.2f} s")
    print(f"  target: the first ack within 1 s, schema up to date; load average {load()}")
    print(f"  emulator problems: {len(emulator.problems)}")


if __name__ == "__main__":
    run(main, __doc__, runs=10, items=200)
