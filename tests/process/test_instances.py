"""Three `timebox run` processes on one PostgreSQL database act as one bot.

They share the Slack emulator and the database, and take their time from one clock file. Work
becomes due in every process at the same moment; each reminder, meeting timer, poll nudge and
deadline must still reach Slack exactly once, and votes sent round-robin to the three must
each be counted exactly once.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain import poker
from bot.emulator import SlackEmulator
from storage.db import Database
from storage.models import ScheduledJob
from tests.fleet import Instance, SharedClock, bot_posts, instance_env, thread_texts, until
from tests.fleet import command as fleet_command

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
PO, SM = "U0PO", "U0SM"
DEVS = [f"U0D{n:02d}" for n in range(30)]
REMINDER_CHANNELS = [f"CR{n:02d}" for n in range(24)]
MEETING_CHANNELS = ["CM0", "CM1", "CM2"]
POKER_CHANNEL = "CP0"
ASYNC_VOTERS = DEVS[:20]  # the other ten are nudged


def header(message: Any) -> str:
    blocks = message.blocks or [{}]
    return blocks[0].get("text", {}).get("text", "") if blocks[0].get("type") == "header" else ""


@pytest.fixture
async def emulator_and_clock(tmp_path):
    clock = SharedClock(tmp_path / "clock", START)
    emulator = SlackEmulator(now=clock.now)
    emulator.add_user(PO, "paula", tz="Europe/Berlin")
    emulator.add_user(SM, "sam", tz="America/New_York")
    for dev in DEVS:
        emulator.add_user(dev, dev.lower(), tz="Europe/London")
    for channel in REMINDER_CHANNELS:
        emulator.add_channel(channel, channel.lower(), members=[PO, DEVS[0], "UBOT"])
    for channel in MEETING_CHANNELS:
        emulator.add_channel(channel, channel.lower(), members=[PO, SM, *DEVS[:3], "UBOT"])
    emulator.add_channel(POKER_CHANNEL, "poker", members=[PO, SM, *DEVS, "UBOT"])
    async with emulator:
        yield emulator, clock


async def test_three_instances_fire_everything_once_and_count_every_vote(
    emulator_and_clock, fresh_postgres, tmp_path
):
    emulator, clock = emulator_and_clock
    started = time.perf_counter()
    env = instance_env(emulator, fresh_postgres, clock.path)
    fleet = [Instance(f"instance-{n}", env, tmp_path) for n in range(3)]
    await asyncio.gather(*(instance.start() for instance in fleet))  # migrate together
    db = Database(fresh_postgres)
    drivers = [instance.driver(emulator) for instance in fleet]
    spread = itertools.cycle(drivers)
    try:
        await asyncio.gather(*(instance.wait_healthy() for instance in fleet))

        async def command(name: str, text: str, user: str, channel: str, answers: int = 1) -> None:
            await fleet_command(
                next(spread), name, text, user=user, channel=channel, answers=answers
            )

        async def jobs(kind: str) -> list[ScheduledJob]:
            async with db.transaction() as store:
                return list(await store.jobs(kind))

        # -- setting up, every command on the next instance in turn -------------------------
        async def reminder_team(channel: str) -> None:
            await command("/timebox", f"roles po <@{PO}|paula>", PO, channel)
            await command("/backlog", "add An item without a hypothesis", PO, channel)
            await command("/ready", "remind at 09:30", PO, channel)

        async def meeting(channel: str) -> None:
            await command("/timebox", f"roles po <@{PO}|paula>", PO, channel)
            await command("/timebox", f"roles sm <@{SM}|sam>", PO, channel)
            await command("/backlog", "add Something to triage", PO, channel)
            await command("/refine", "start 45m", SM, channel)

        await asyncio.gather(
            *(reminder_team(c) for c in REMINDER_CHANNELS), *(meeting(c) for c in MEETING_CHANNELS)
        )
        await until(
            lambda: _count(jobs("readiness_reminder"), len(REMINDER_CHANNELS)), "24 reminders"
        )
        await until(lambda: all(bot_posts(emulator, c) for c in MEETING_CHANNELS), "three agendas")
        agendas = {c: bot_posts(emulator, c)[0].ts for c in MEETING_CHANNELS}

        # -- planning poker: thirty votes spread over the three instances at once ---------
        await command("/timebox", f"roles po <@{PO}|paula>", PO, POKER_CHANNEL)
        await command("/timebox", f"roles sm <@{SM}|sam>", PO, POKER_CHANNEL)
        await command("/backlog", "add Estimate me live", PO, POKER_CHANNEL)
        await command("/backlog", "add Estimate me over the hour", PO, POKER_CHANNEL)
        await until(lambda: _items(db, 2), "two items")

        async def everyone_votes(title: str, what: str, card: str, voters: list[str]) -> Any:
            """The poll titled `title` on screen, `voters` click `card` on it at once, their
            clicks spread over the three instances; the poll's message."""
            await until(lambda: _board(emulator, title), what)
            board = _board(emulator, title)
            await asyncio.gather(
                *(
                    driver.click(card, user=dev, message=board)
                    for driver, dev in zip(itertools.cycle(drivers), voters, strict=False)
                )
            )
            return board

        await command("/poker", "1", SM, POKER_CHANNEL)
        live = await everyone_votes("Planning poker", "the live board", "5", DEVS)
        await until(
            lambda: thread_texts(emulator, POKER_CHANNEL, live.ts), "the live round's result"
        )
        await command("/poker", "async 2 for 1h", SM, POKER_CHANNEL)
        polled = await everyone_votes("Estimation poll", "the async poll", "3", ASYNC_VOTERS)
        await until(lambda: _votes_in(db, 2, len(ASYNC_VOTERS)), "twenty async votes")

        # -- time moves for all three at once ----------------------------------------------
        async def settled() -> bool:
            async with db.transaction() as store:
                return not await store.overdue(clock.now())

        async def at(when: datetime, what: str, check) -> None:
            """Moves every instance's clock, then waits for `check` and for all due work to
            be done (the next jump would otherwise outrun the leases of jobs still running)."""
            clock.set(when)
            await until(check, what)
            await until(settled, f"due work done after {what}")

        def in_threads(text: str) -> bool:
            return all(
                any(text in t for t in thread_texts(emulator, c, ts)) for c, ts in agendas.items()
            )

        await at(START + timedelta(minutes=3), "the warnings", lambda: in_threads("min left in"))
        await at(START + timedelta(minutes=4), "time-ups", lambda: in_threads("Time is up"))
        nudges = [when for _, when in poker.nudge_times(START, START + timedelta(hours=1))]
        for n, when in enumerate(nudges, start=1):
            await at(
                when,
                f"nudge {n}",
                lambda n=n: all(len(emulator.dms(dev)) >= n for dev in DEVS[20:]),
            )
        reminder_time = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # 09:30 in Berlin
        assert reminder_time <= nudges[-1], "reminders came due with the nudges"
        await at(
            START + timedelta(hours=1),
            "the poll's deadline",
            lambda: any("has closed" in m.text for m in bot_posts(emulator, POKER_CHANNEL)),
        )

        # -- exactly once ---------------------------------------------------------------------
        for channel in REMINDER_CHANNELS:
            assert len(bot_posts(emulator, channel)) == 1, f"{channel}: one reminder"
        for channel, ts in agendas.items():
            texts = thread_texts(emulator, channel, ts)
            assert sum("min left in *Kick-off*" in t for t in texts) == 1, channel
            assert sum("Time is up for *Kick-off*" in t for t in texts) == 1, channel
        for dev in DEVS:
            expected = len(nudges) if dev not in ASYNC_VOTERS else 0
            assert len(emulator.dms(dev)) == expected, f"{dev}'s nudges"
        closed = [m for m in bot_posts(emulator, POKER_CHANNEL) if "has closed" in m.text]
        assert len(closed) == 1, "the deadline fired once"
        [live_result] = thread_texts(emulator, POKER_CHANNEL, live.ts)
        assert "30 votes" in live_result
        [async_result] = thread_texts(emulator, POKER_CHANNEL, polled.ts)
        assert "20 votes" in async_result
        assert await _voters(db, 1) == DEVS, "each live vote once"
        assert await _voters(db, 2) == ASYNC_VOTERS, "each async vote once"
        async with db.transaction() as store:
            done = list(await store.jobs())
        fired = [job for job in done if job.done_at is not None]
        twice = [(j.key, j.attempts, j.outcome) for j in fired if j.attempts > 1]
        assert fired and not twice, "no job ran twice"
        ran_by = {job.claimed_by.rsplit(":", 1)[0] for job in fired if job.claimed_by}
        print(f"jobs run by {len(ran_by)} instance(s); {time.perf_counter() - started:.1f} s")
        assert emulator.problems == []
    finally:
        for driver in drivers:
            await driver.aclose()
        await db.dispose()
        codes = await asyncio.gather(*(instance.stop() for instance in fleet))
    for instance in fleet:
        assert "Traceback" not in instance.output(), instance.tail()
    assert codes == [0, 0, 0]


async def _count(rows, n: int) -> bool:
    return len(await rows) == n


async def _items(db: Database, n: int) -> bool:
    async with db.transaction() as store:
        team = await store.team("T0TEAM", POKER_CHANNEL)
        return team is not None and await store.count_active(team.id) == n


async def _voters(db: Database, poll_id: int) -> list[str]:
    """Every vote of a poll's rounds (the database is new: the polls are 1 and 2)."""
    async with db.transaction() as store:
        rounds = [r.id for r in await store.rounds(poll_id)]
        ballots = await store.ballots(rounds)
    return sorted(vote.voter for votes in ballots.values() for vote in votes)


async def _votes_in(db: Database, poll_id: int, n: int) -> bool:
    return len(await _voters(db, poll_id)) == n


def _board(emulator: SlackEmulator, title: str) -> Any:
    boards = [m for m in bot_posts(emulator, POKER_CHANNEL) if header(m) == title]
    return boards[-1] if boards else None
