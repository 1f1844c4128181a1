"""A burst of planning poker votes: 100 voters click a card within one second.

Timebox runs in a process of its own, as `timebox run` serves it (HTTP mode, the production
settings: redraws of a poll coalesced to one a second, INFO logs), on a fresh SQLite file,
against the Slack emulator in this process on 127.0.0.1 (answering without checking payloads,
as Slack's servers answer without our CPU). A warm-up round of five voters in another channel
goes first (imports, compiled queries, templates, the token check). Then a channel of 100
developers starts a live round, and every voter clicks a card, the clicks spread evenly over
`--spread` seconds and sent concurrently, each signed as Slack signs it. Once the bot has
answered every click, shown the result and made no call to Slack for 1.5 s, it reports:

- ack latency of the clicks, p50 and p99 (target: p99 at most 50 ms);
- last click -> result visible: from the last vote's ack reaching its voter to the bot's first
  call to Slack that shows the result, the poll redrawn as revealed (chat.update) or the result
  posted in its thread (chat.postMessage); each is given (target: at most 1.2 s);
- CPU per vote: the bot process's user + system time (/proc/<pid>/stat, all its threads) from
  the first click until it is quiet again, over the votes; and the same less what the idle
  process spends in as long (the scheduler's sweeps) (target: at most 10 ms);
- the votes in the database (each voter exactly once), the results posted (one reveal), the
  `chat.update` calls of the poll and the smallest gap between two, and whether the poll ends
  revealed.

    .venv/bin/python bench/poker_burst.py [--voters 100] [--spread 1.0]
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import run
from bench.process import TIMEBOX_RUN, bot_env, cpu_seconds, free_port, load, start, stop
from bench.slack import bot_driver, seeded_database
from bot.emulator.driver import SlackDriver
from bot.emulator.server import ApiCall, Message, SlackEmulator
from storage.db import Database

CHANNEL, WARM = "C0POKER", "C0WARMUP"
CARDS = ("3", "5", "8")
SECRET = "bench-signing-secret"
QUIET = 1.5  # seconds without a call to Slack: the bot has settled
IDLE = 2.0  # seconds of the idle bot's CPU, measured before the burst


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def until(check: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        await asyncio.sleep(0.005)


async def quiet(emulator: SlackEmulator) -> None:
    """Waits until the bot has made no call to Slack for QUIET seconds."""
    while True:
        count = len(emulator.calls)
        await asyncio.sleep(QUIET)
        if len(emulator.calls) == count:
            return


def revealed(call: ApiCall, poll: Message) -> bool:
    return (
        call.method == "chat.update"
        and call.args.get("ts") == poll.ts
        and "Revealed:" in str(call.args.get("blocks"))
    )


def result_post(call: ApiCall, poll: Message) -> bool:
    return call.method == "chat.postMessage" and call.args.get("thread_ts") == poll.ts


async def start_poll(
    emulator: SlackEmulator, driver: SlackDriver, channel: str, user: str
) -> Message:
    """A live round of item 1 in `channel`: its message, once the bot is quiet."""
    ack = await driver.command("/poker", "1", user=user, channel=channel)
    assert ack.status == 200, ack
    await until(lambda: any(m.user == "UBOT" for m in emulator.messages(channel)), "the poll")
    await quiet(emulator)
    [poll] = [m for m in emulator.messages(channel) if m.user == "UBOT"]
    return poll


async def votes(
    emulator: SlackEmulator, driver: SlackDriver, poll: Message, users: list[str], spread: float
) -> tuple[list[float], float, float]:
    """Every user clicks a card of the poll, the clicks spread over `spread` seconds; the acks'
    latencies (ms), when the last click was sent and when the last ack came (epoch s), once
    the result is shown."""
    before = len(emulator.calls)
    sent, acked = 0.0, 0.0

    async def click(n: int, user: str) -> float:
        nonlocal sent, acked
        await asyncio.sleep(spread * n / len(users))
        sent = max(sent, time.time())
        ack = await driver.click(CARDS[n % len(CARDS)], user=user, message=poll)
        acked = max(acked, time.time())
        assert ack.status == 200, ack
        return ack.elapsed_ms

    latencies = await asyncio.gather(*(click(n, u) for n, u in enumerate(users)))
    await until(
        lambda: (
            any(revealed(c, poll) for c in emulator.calls[before:])
            and any(result_post(c, poll) for c in emulator.calls[before:])
        ),
        "the poll revealed and the result in its thread",
    )
    return latencies, sent, acked


async def poker_workspace(voters: int) -> tuple[SlackEmulator, list[str], list[str]]:
    """The emulator, started, with `voters` developers in CHANNEL and five in WARM (the
    warm-up round's); the voters and the warm-up's."""
    emulator = SlackEmulator(validate=False)
    users = [f"U0V{n:03d}" for n in range(voters)]
    warm = [f"U0W{n:03d}" for n in range(5)]
    for user in (*users, *warm):
        emulator.add_user(user, user.lower())
    emulator.add_channel(CHANNEL, "poker", members=[*users, "UBOT"])
    emulator.add_channel(WARM, "warmup", members=[*warm, "UBOT"])
    await emulator.start()
    return emulator, users, warm


async def poker_database(
    folder: Path, emulator: SlackEmulator, author: str
) -> tuple[Database, str]:
    """A fresh database where both channels' teams have an item to estimate."""
    backlogs = {CHANNEL: ["Checkout"], WARM: ["Checkout"]}
    return await seeded_database(folder, emulator.team_id, author, backlogs)


async def main(voters: int, spread: float) -> None:
    emulator, users, warm = await poker_workspace(voters)
    with tempfile.TemporaryDirectory() as tmp:
        db, database_url = await poker_database(Path(tmp), emulator, users[0])
        port = free_port()
        env = bot_env(emulator.bot_token, SECRET, emulator.api_url, database_url, port)
        bot = await start(TIMEBOX_RUN, env, port, Path(tmp))
        driver = bot_driver(emulator, port, SECRET)
        try:
            warm_poll = await start_poll(emulator, driver, WARM, warm[0])
            await votes(emulator, driver, warm_poll, warm, 0.2)
            poll = await start_poll(emulator, driver, CHANNEL, users[0])
            idle_from, idle_cpu = time.monotonic(), cpu_seconds(bot.pid)
            await asyncio.sleep(IDLE)
            idle_rate = (cpu_seconds(bot.pid) - idle_cpu) / (time.monotonic() - idle_from)
            calls_before = len(emulator.calls)
            gc.freeze()  # this process's collector does not pause the clicks (bench/concurrency.py)
            first, started, cpu_before = time.time(), time.monotonic(), cpu_seconds(bot.pid)
            latencies, last_sent, last_ack = await votes(emulator, driver, poll, users, spread)
            await quiet(emulator)
            took, cpu = time.monotonic() - started, cpu_seconds(bot.pid) - cpu_before
        finally:
            await driver.aclose()
            await stop(bot)
            await emulator.stop()
        async with db.transaction() as store:
            ballots = [
                b
                for round_ballots in (await store.ballots(range(1, 10))).values()
                for b in round_ballots
                if b.voter in set(users)
            ]
        await db.dispose()
    calls = emulator.calls[calls_before:]
    updates = [c for c in calls if c.method == "chat.update" and c.args.get("ts") == poll.ts]
    gaps = [b.at - a.at for a, b in pairwise(updates)]
    board = next(c.at for c in calls if revealed(c, poll))
    thread = next(c.at for c in calls if result_post(c, poll))
    results = [c for c in calls if result_post(c, poll)]
    net = cpu - idle_rate * took
    print(f"planning poker burst: {voters} voters clicking within {spread:.1f} s")
    print(
        f"  ack latency: p50 {statistics.median(latencies):6.1f} ms  "
        f"p99 {percentile(latencies, 99):6.1f} ms  max {max(latencies):6.1f} ms  (target p99 <= 50)"
    )
    print(
        f"  last click -> result visible: {min(board, thread) - last_ack:.2f} s after the last ack "
        f"(poll revealed {board - last_ack:.2f} s, result in the thread {thread - last_ack:.2f} s; "
        f"{min(board, thread) - last_sent:.2f} s after the last click was sent) (target <= 1.2)"
    )
    print(
        f"  CPU per vote: {cpu / voters * 1000:.1f} ms ({cpu:.2f} s of the bot's process over "
        f"{took:.1f} s); less the idle process's {idle_rate * 1000:.0f} ms/s: "
        f"{net / voters * 1000:.1f} ms (target <= 10)"
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
    final = emulator.find_message(CHANNEL, poll.ts)
    exact = final is not None and "Revealed:" in str(final.blocks)
    print(f"  the poll message ends revealed: {'yes' if exact else 'NO'}")
    print(
        f"  every click acked {last_ack - first:.2f} s after the first was sent; "
        f"the bot quiet from {took - QUIET:.2f} s on"
    )
    print(f"  emulator problems: {len(emulator.problems)}; load average {load()}")


if __name__ == "__main__":
    run(main, __doc__, voters=100, spread=1.0)
