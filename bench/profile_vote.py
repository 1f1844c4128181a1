"""What one planning poker vote costs the bot: CPU per vote, and where it goes.

Timebox runs in a process of its own, exactly as `timebox run` serves it (HTTP mode,
`bot.process.server.serve`, a fresh SQLite file, the log level of the environment, INFO by
default), against the Slack emulator in this process. After a warm-up round in another
channel (imports, compiled queries, templates, the token check), a channel of `--voters`
developers starts a live round, and once its message is posted every voter clicks a card,
the clicks spread evenly over `--spread` seconds. Once the bot has answered every click,
posted the result and redrawn the poll as revealed, and stayed quiet for a while, it reports:

- CPU per vote: the bot process's user + system time from /proc/<pid>/stat from the first
  click until it is quiet again, less what the idle process spends over as long (the
  scheduler's ticks), over the votes; and the event loop's thread's share;
- ack latency p50/p99 of the clicks;
- last click -> result visible: from sending the last click to the result reaching the thread
  (chat.postMessage) and to the poll message showing "Revealed" (chat.update);
- the poll's chat.update calls and the smallest gap between two.

With `--profile`, the bot runs under pyinstrument (a sampling profiler, `pip install -e
.[dev]`) for the burst only (from the first click to the quiet end), and its call tree of the
main thread is printed (waiting for the network shows under `select`; SQLite's own work runs
in aiosqlite's thread and shows as the wait for it; PROFILE_ALL=1 shows library frames too).
The sampling slows the bot down (use `--spread 3` with it): take CPU per vote from a run
without it.

    .venv/bin/python bench/profile_vote.py [--voters 100] [--spread 1.0] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.poker_burst import (
    CARDS,
    CHANNEL,
    WARM,
    percentile,
    poker_database,
    poker_workspace,
    quiet,
    start_poll,
    until,
)
from bench.process import cpu_seconds, free_port, start
from bench.slack import bot_driver
from bot.emulator.driver import SlackDriver
from bot.emulator.server import Message, SlackEmulator

ROOT = Path(__file__).resolve().parent.parent
SECRET = "profile-signing-secret"


def main_thread_seconds(pid: int) -> float:
    """The same for the process's main thread alone (the event loop; SQLite's work runs in
    aiosqlite's threads)."""
    return cpu_seconds(pid, f"/proc/{pid}/task/{pid}/stat")


# -- the bot's process ---------------------------------------------------------------------------


def serve(profile_to: str | None) -> None:
    """`timebox run` in HTTP mode; with `profile_to`, pyinstrument samples from SIGUSR1 to
    SIGUSR2 and its call tree is written there."""
    from bot.process.server import serve as run
    from bot.runtime.config import configure_logging, load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    if profile_to is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)

        def start(*_: object) -> None:
            profiler.start()

        def stop(*_: object) -> None:
            profiler.stop()
            every = os.environ.get("PROFILE_ALL") == "1"
            text = profiler.output_text(unicode=True, color=False, show_all=every)
            Path(profile_to).write_text(text)

        signal.signal(signal.SIGUSR1, start)
        signal.signal(signal.SIGUSR2, stop)
    asyncio.run(run(settings, host="127.0.0.1"))


async def start_bot(
    env: dict[str, str], port: int, profile_to: str | None
) -> asyncio.subprocess.Process:
    args = [__file__, "--serve", *(["--profile-to", profile_to] if profile_to else [])]
    return await start(args, env, port, ROOT)


# -- this process: Slack -------------------------------------------------------------------------


async def round_of_votes(
    emulator: SlackEmulator,
    driver: SlackDriver,
    poll: Message,
    users: list[str],
    spread: float,
) -> dict[str, float | list[float]]:
    """Every user votes in the poll's round; what it took."""
    before = len(emulator.calls)
    last_click = 0.0

    async def click(n: int, user: str) -> float:
        nonlocal last_click
        await asyncio.sleep(spread * n / len(users))
        last_click = max(last_click, time.time())
        ack = await driver.click(CARDS[n % len(CARDS)], user=user, message=poll)
        assert ack.status == 200, ack
        return ack.elapsed_ms

    acks = await asyncio.gather(*(click(n, u) for n, u in enumerate(users)))

    def calls() -> list:  # type: ignore[type-arg]
        return emulator.calls[before:]

    def done() -> bool:
        seen = calls()
        confirmed = sum(1 for c in seen if c.method == "chat.postEphemeral")
        result = any(c.method == "chat.postMessage" and c.args.get("thread_ts") for c in seen)
        revealed = any(
            c.method == "chat.update" and "Revealed:" in str(c.args.get("blocks")) for c in seen
        )
        return confirmed >= len(users) and result and revealed

    await until(done, "every answer, the result and the revealed poll")
    seen = calls()
    result_at = next(
        c.at for c in seen if c.method == "chat.postMessage" and c.args.get("thread_ts")
    )
    updates = [c for c in seen if c.method == "chat.update" and c.args.get("ts") == poll.ts]
    revealed_at = next(c.at for c in updates if "Revealed:" in str(c.args.get("blocks")))
    return {
        "acks": acks,
        "result": result_at - last_click,
        "board": revealed_at - last_click,
        "updates": float(len(updates)),
        "gap": min((b.at - a.at for a, b in pairwise(updates)), default=float("nan")),
    }


async def main(voters: int, spread: float, profile: bool) -> None:
    emulator, users, warm = await poker_workspace(voters)
    with tempfile.TemporaryDirectory() as tmp:
        db, database_url = await poker_database(Path(tmp), emulator, users[0])
        await db.dispose()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TIMEBOX_"))}
        env.update(
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=emulator.api_url,
            DATABASE_URL=database_url,
            PORT=str(port),
            PYTHONPATH=str(ROOT),
            TIMEBOX_LOG_LEVEL=os.environ.get("TIMEBOX_LOG_LEVEL", "INFO"),
        )
        stats = str(Path(tmp) / "vote.txt") if profile else None
        bot = await start_bot(env, port, stats)
        driver = bot_driver(emulator, port, SECRET)
        try:
            warm_poll = await start_poll(emulator, driver, WARM, warm[0])
            await round_of_votes(emulator, driver, warm_poll, warm, 0.2)
            poll = await start_poll(emulator, driver, CHANNEL, users[0])
            await quiet(emulator)
            idle_from, idle_cpu = time.monotonic(), cpu_seconds(bot.pid)
            await asyncio.sleep(3.0)
            idle_rate = (cpu_seconds(bot.pid) - idle_cpu) / (time.monotonic() - idle_from)
            if profile:
                bot.send_signal(signal.SIGUSR1)
            started, cpu_before = time.monotonic(), cpu_seconds(bot.pid)
            loop_before = main_thread_seconds(bot.pid)
            burst = await round_of_votes(emulator, driver, poll, users, spread)
            await quiet(emulator)
            took, cpu = time.monotonic() - started, cpu_seconds(bot.pid) - cpu_before
            loop = main_thread_seconds(bot.pid) - loop_before
            if profile:
                bot.send_signal(signal.SIGUSR2)
                await until(lambda: Path(stats).exists(), "the profile", 30)  # type: ignore[arg-type]
                await asyncio.sleep(0.5)
                profiled = Path(stats).read_text()  # noqa: ASYNC240 (the bot is done)
        finally:
            await driver.aclose()
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
            await emulator.stop()
        acks = burst["acks"]
        assert isinstance(acks, list)
        net = cpu - idle_rate * took
        print(f"a poker vote's cost: {voters} voters clicking within {spread:.1f} s")
        print(
            f"  CPU per vote: {net / voters * 1000:.1f} ms "
            f"({cpu:.2f} s over {took:.1f} s, less idle {idle_rate * 1000:.0f} ms/s)"
            + ("  [under the profiler]" if profile else "")
        )
        print(f"    of which the event loop's thread: {loop / voters * 1000:.1f} ms (before idle)")
        print(
            f"  ack latency: p50 {statistics.median(acks):.1f} ms  "
            f"p99 {percentile(acks, 99):.1f} ms  max {max(acks):.1f} ms"
        )
        print(
            f"  last click -> result in the thread {burst['result']:.2f} s; "
            f"-> poll shows it {burst['board']:.2f} s"
        )
        print(
            f"  chat.update of the poll: {burst['updates']:.0f}; smallest gap {burst['gap']:.2f} s"
        )
        print(f"  emulator problems: {len(emulator.problems)}")
    if stats is not None:
        print()
        print(profiled)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=100)
    parser.add_argument("--spread", type=float, default=1.0)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.profile_to)
    else:
        asyncio.run(main(args.voters, args.spread, args.profile))
