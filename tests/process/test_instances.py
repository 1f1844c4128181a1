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

from bot.domain import poker_nudges
from bot.emulator import SlackEmulator
from storage.db import Database
from storage.models import ScheduledJob
from tests.fleet import PO, SM, bot_posts, fleet_of_three, slack_world, thread_texts, until

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
DEVS = [f"U0D{n:02d}" for n in range(30)]
REMINDER_CHANNELS = [f"CR{n:02d}" for n in range(24)]
MEETING_CHANNELS = ["CM0", "CM1", "CM2"]
POKER_CHANNEL = "CP0"
ASYNC_VOTERS = DEVS[:20]  # the other ten are nudged


def header(message: Any) -> str:
    blocks = message.blocks or [{}]
    return blocks[0].get("text", {}).get("text", "") if blocks[0].get("type") == "header" else ""


async def test_three_instances_fire_everything_once_and_count_every_vote(fresh_postgres, tmp_path):
    started = time.perf_counter()
    channels = {
        **dict.fromkeys(REMINDER_CHANNELS, (PO, DEVS[0])),
        **dict.fromkeys(MEETING_CHANNELS, (PO, SM, *DEVS[:3])),
        POKER_CHANNEL: (PO, SM, *DEVS),
    }
    async with (
        slack_world(tmp_path, START, channels, DEVS, "America/New_York") as (emulator, clock),
        fleet_of_three(emulator, clock, fresh_postgres, tmp_path) as fleet,
    ):
        await fleet.start("instance")
        db, command = fleet.db, fleet.command

        async def jobs(kind: str) -> list[ScheduledJob]:
            async with db.transaction() as store:
                return list(await store.jobs(kind))

        # -- setting up, every command on the next instance in turn -------------------------
        async def reminder_team(channel: str) -> None:
            await command("/timebox", f"roles po <@{PO}|paula>", PO, channel, answers=2)
            await command("/backlog", "add An item without a hypothesis", PO, channel)
            await command("/ready", "remind at 09:30", PO, channel)

        async def meeting(channel: str) -> None:
            await command("/timebox", f"roles po <@{PO}|paula>", PO, channel, answers=2)
            await command("/timebox", f"roles sm <@{SM}|sam>", PO, channel, answers=2)
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
        await command("/timebox", f"roles po <@{PO}|paula>", PO, POKER_CHANNEL, answers=2)
        await command("/timebox", f"roles sm <@{SM}|sam>", PO, POKER_CHANNEL, answers=2)
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
                    for driver, dev in zip(itertools.cycle(fleet.drivers), voters, strict=False)
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
        def in_threads(text: str) -> bool:
            return all(
                any(text in t for t in thread_texts(emulator, c, ts)) for c, ts in agendas.items()
            )

        await fleet.at(
            START + timedelta(minutes=3), "the warnings", lambda: in_threads("min left in")
        )
        await fleet.at(START + timedelta(minutes=4), "time-ups", lambda: in_threads("Time is up"))
        nudges = [when for _, when in poker_nudges.nudge_times(START, START + timedelta(hours=1))]
        for n, when in enumerate(nudges, start=1):
            await fleet.at(
                when,
                f"nudge {n}",
                lambda n=n: all(len(emulator.dms(dev)) >= n for dev in DEVS[20:]),
            )
        reminder_time = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # 09:30 in Berlin
        assert reminder_time <= nudges[-1], "reminders came due with the nudges"
        await fleet.at(
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
