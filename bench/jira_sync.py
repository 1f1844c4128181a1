"""Jira sync: a 5,000-issue board imported, an incremental sync of 10 changed issues, then a
reorder and two deletions made in Jira.

The Jira emulator runs in a child process (so the bot's resident set is the bot's alone) with
a Scrum board of `--issues` stories, last changed a day ago. In this process, the real sync
engine (the use cases and their due work, on a fresh SQLite file) connects a channel to the
board, imports it page by page as due work, then 10 issues are edited in Jira and one
incremental sync runs (as after a webhook). Figures: import time, Jira calls, peak RSS; the
incremental sync's calls, for a small board and for the big one (they must not differ).

Then, on the big board: the last issue is dragged to the top in Jira and the plain incremental
sync runs (it sees the new Rank value and reads the board's keys once); an issue is deleted
and Jira's webhook names it (the sync asks for that issue: 404); another is deleted with no
webhook and the hourly reconcile finds it (the board's keys, then that issue). Figures: calls
and time of each, and whether the channel's backlog matches the board afterwards.

    .venv/bin/python bench/jira_sync.py [--issues 5000] [--changed 10]
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import run
from bench.slack import bench_services
from bot.domain.trackers import TrackerError
from bot.emulator.jira import JiraEmulator
from bot.runtime.secrets import Secret, generate_key
from bot.runtime.services import Services
from bot.trackers.wiring import install
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect as connect_uc
from bot.usecases.unit import Actor
from storage.db import Database

WORKSPACE, USER = "T0BENCH", "U0BENCH"
DAY = 86400.0


def rss() -> tuple[float, float]:
    """(resident now, peak) in MB, of this process."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


# -- the emulator, in its own process ----------------------------------------------------------


def serve_jira(pipe: Any) -> None:
    """The child: a Jira emulator answering commands on `pipe` (seed, edit, calls)."""
    asyncio.run(_serve_jira(pipe))


async def _serve_jira(pipe: Any) -> None:
    offset = [-DAY]  # the board was last changed a day ago
    jira = JiraEmulator(now=lambda: time.time() + offset[0])
    await jira.start()
    pipe.send(
        {
            "url": jira.url,
            "hosts": jira.host_setting,
            "email": jira.user.email,
            "token": jira.user.token,
        }
    )
    loop = asyncio.get_running_loop()
    while True:
        command, argument = await loop.run_in_executor(None, pipe.recv)
        if command == "seed":
            count, project = argument
            offset[0] = -DAY
            keys = jira.seed(count, project=project, estimate=lambda n: float(n % 13))
            offset[0] = 0.0
            pipe.send(keys)
        elif command == "edit":
            for n, key in enumerate(argument):
                jira.edit(key, summary=f"Changed in Jira {n}", estimate=float(n))
            pipe.send(len(argument))
        elif command == "rerank":
            key, before = argument
            jira.rerank(key, before=before)
            pipe.send(jira.backlog_keys(2))
        elif command == "delete":
            jira.delete(argument)
            pipe.send(jira.backlog_keys(2))
        elif command == "calls":
            pipe.send([c.route for c in jira.calls])
            jira.reset_calls()
        elif command == "board":
            board_id, project = argument
            jira.add_project(project)
            pipe.send(jira.add_board(board_id, f"{project} board", project).id)
        elif command == "stop":
            await jira.stop()
            pipe.send("stopped")
            return


class Child:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=serve_jira, args=(theirs,), daemon=True)
        self.process.start()
        self.info = self.pipe.recv()

    async def ask(self, command: str, argument: Any = None) -> Any:
        self.pipe.send((command, argument))
        return await asyncio.get_running_loop().run_in_executor(None, self.pipe.recv)


# -- the bot's side ----------------------------------------------------------------------------


async def drain(services: Services) -> int:
    total = 0
    while ran := await services.jobs.run_due():
        total += ran
    return total


async def connect(services: Services, child: Child, channel: str, board: int) -> Any:
    now = services.clock.now()
    async with services.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, channel, now)
        await store.set_role(team, "po", [USER])
        team_id = team.id
    form = connect_uc.ConnectForm(
        site=child.info["url"],
        email=child.info["email"],
        token=Secret(child.info["token"]),
        board=str(board),
    )
    actor = Actor(WORKSPACE, channel, USER, f"bench-{channel}")
    connected = await connect_uc.connect(services, actor, form, team_id)
    if not isinstance(connected, connect_uc.Connected):
        raise SystemExit(f"not connected: {connected}")
    return connected.connection


async def incremental(
    services: Services, child: Child, connection: Any, keys: list[str], changed: int
) -> tuple[list[str], float]:
    """Edits `changed` issues spread over the board, then one sync as after a webhook."""
    step = max(1, len(keys) // changed)
    await child.ask("edit", keys[::step][:changed])
    await child.ask("calls")
    async with services.db.transaction() as store:
        current = await store.connection_by_id(connection.id)
        key = f"{tracker_uc.KIND_SYNC}:{tracker_uc.tag(current)}:bench"
        await store.schedule_once(
            tracker_uc.KIND_SYNC,
            key,
            services.clock.now(),
            {"connection": current.id, "tag": tracker_uc.tag(current)},
        )
    started = time.perf_counter()
    await drain(services)
    elapsed = time.perf_counter() - started
    return await child.ask("calls"), elapsed


async def one_sync(
    services: Services, child: Child, connection: Any, name: str, **payload: Any
) -> tuple[list[str], float]:
    """One sync row (as the regular one, a webhook's or the hourly one) run now; its calls."""
    await child.ask("calls")
    async with services.db.transaction() as store:
        current = await store.connection_by_id(connection.id)
        await store.schedule_once(
            tracker_uc.KIND_SYNC,
            f"{tracker_uc.KIND_SYNC}:{tracker_uc.tag(current)}:bench-{name}",
            services.clock.now(),
            {"connection": current.id, "tag": tracker_uc.tag(current), **payload},
        )
    started = time.perf_counter()
    await drain(services)
    return await child.ask("calls"), time.perf_counter() - started


async def board_and_backlog(services: Services, connection: Any, board: list[str]) -> str:
    """Whether the channel's backlog is the board's order, in words."""
    async with services.db.transaction() as store:
        order = await store.backlog_keys(connection.team_id, connection.id)
    ours = [key for _, key in order if key]
    return "backlog = board" if ours == board else f"backlog differs ({len(ours)} vs {len(board)})"


async def reorder_and_deletions(
    services: Services, child: Child, big: Any, keys: list[str]
) -> None:
    """A drag to the top, a deletion named by a webhook, one found by the hourly reconcile."""
    board = await child.ask("rerank", (keys[-1], keys[0]))
    calls, seconds = await one_sync(services, child, big, "reorder")
    print(
        f"  reorder (last issue dragged to the top), plain incremental sync: {len(calls)} Jira "
        f"call(s) ({_routes(calls)}), {seconds * 1000:.0f} ms; "
        f"{await board_and_backlog(services, big, board)}"
    )
    gone = keys[len(keys) // 2]
    board = await child.ask("delete", gone)
    event = json.dumps({"webhookEvent": "jira:issue_deleted", "issue": {"key": gone}}).encode()
    async with services.db.transaction() as store:
        current = await store.connection_by_id(big.id)
        await child.ask("calls")
        await tracker_uc.after_webhook(store, current, event, services.clock.now())
    started = time.perf_counter()
    await drain(services)
    seconds = time.perf_counter() - started
    calls = await child.ask("calls")
    print(
        f"  deletion named by a webhook: {len(calls)} Jira call(s) ({_routes(calls)}), "
        f"{seconds * 1000:.0f} ms; {await board_and_backlog(services, big, board)}"
    )
    board = await child.ask("delete", keys[len(keys) // 3])
    calls, seconds = await one_sync(services, child, big, "hourly", keys=True)
    print(
        f"  deletion without webhooks, hourly reconcile: {len(calls)} Jira call(s) "
        f"({_routes(calls)}), {seconds * 1000:.0f} ms; "
        f"{await board_and_backlog(services, big, board)}"
    )


async def main(issues: int, changed: int) -> None:
    child = Child()
    os.environ["TIMEBOX_SECRET_KEY"] = generate_key()
    os.environ["TIMEBOX_TRACKER_HOSTS"] = child.info["hosts"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        services = bench_services(db)
        install(services)
        try:
            small_keys = await child.ask("seed", (100, "TB"))
            small = await connect(services, child, "C0SMALL", 1)
            await drain(services)
            await child.ask("calls")

            await child.ask("board", (2, "BIG"))
            big_keys = await child.ask("seed", (issues, "BIG"))
            gc.collect()
            before, _ = rss()
            print(
                f"Board of {issues:,} issues (emulator in its own process); bot RSS before "
                f"the import {before:.1f} MB"
            )
            started = time.perf_counter()
            big = await connect(services, child, "C0BIG", 2)
            ran = await drain(services)
            elapsed = time.perf_counter() - started
            calls = await child.ask("calls")
            now, peak = rss()
            async with db.transaction() as store:
                team = await store.team(WORKSPACE, "C0BIG")
                count = await store.count_active(team.id)
            print(
                f"  import: {count:,} items in {elapsed:.1f} s, {ran} due-work rows, "
                f"{len(calls)} Jira calls ({_routes(calls)}), peak RSS {peak:.1f} MB "
                f"(now {now:.1f} MB)"
            )

            for name, connection, keys in (
                ("100", small, small_keys),
                (f"{issues:,}", big, big_keys),
            ):
                calls, seconds = await incremental(services, child, connection, keys, changed)
                async with db.transaction() as store:
                    items = await store.all_items(connection.team_id, include_closed=False)
                    landed = sum(i.title.startswith("Changed in Jira") for i in items)
                print(
                    f"  incremental sync, {changed} changed of {name}: {len(calls)} Jira "
                    f"call(s) ({_routes(calls)}), {seconds * 1000:.0f} ms; {landed} items "
                    "changed in Timebox"
                )
            await reorder_and_deletions(services, child, big, big_keys)
        except TrackerError as error:
            print(f"failed: {error}")
        finally:
            await db.dispose()
            await child.ask("stop")


def _routes(calls: list[str]) -> str:
    counts: dict[str, int] = {}
    for route in calls:
        counts[route] = counts.get(route, 0) + 1
    return ", ".join(f"{route} {n}" for route, n in counts.items())


if __name__ == "__main__":
    run(main, __doc__, issues=5000, changed=10)
