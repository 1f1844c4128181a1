"""Three `timebox run` processes on one PostgreSQL database: each scheduled refinement's
reminder reaches its channel exactly once per occurrence, across a crash of all three (killed,
then started again), and an automatic start begins its meeting once.

The fleet of test_instances.py: they share the Slack emulator and the database, and take
their time from one clock file, so the reminders come due in every process at the same moment.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.domain import ceremonies
from bot.emulator import SlackEmulator
from tests.fleet import PO, SM, bot_posts, fleet_of_three, slack_world, until

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
FIRST = datetime(2026, 3, 2, 12, 45, tzinfo=UTC)  # 13:45 in Berlin: 15 min before 14:00
SECOND = datetime(2026, 3, 9, 12, 45, tzinfo=UTC)
CHANNELS = [f"CC{n}" for n in range(6)]
AUTO = CHANNELS[0]  # its refinement starts by itself


def reminders(emulator: SlackEmulator, channel: str) -> list[object]:
    """The ceremonies' reminders: with their Start now, or, once their meeting began by
    itself, saying so in its place."""
    return [m for m in bot_posts(emulator, channel) if _is_reminder(m)]


def _is_reminder(message: object) -> bool:
    blocks = str(getattr(message, "blocks", ""))
    return "calendar_start" in blocks or "Began by itself" in blocks


def agendas(emulator: SlackEmulator, channel: str) -> list[object]:
    """The meetings' agenda messages (their header, with or without buttons: a meeting nobody
    ended is ended by Timebox an hour past its timebox, its buttons gone)."""
    return [
        m
        for m in bot_posts(emulator, channel)
        if m.blocks and m.blocks[0].get("type") == "header" and not _is_reminder(m)
    ]


async def test_three_instances_remind_once_per_occurrence_across_a_crash(fresh_postgres, tmp_path):
    channels = dict.fromkeys(CHANNELS, (PO, SM))
    async with (
        slack_world(tmp_path, START, channels) as (emulator, clock),
        fleet_of_three(emulator, clock, fresh_postgres, tmp_path) as fleet,
    ):
        await fleet.start("gen1")
        db = fleet.db

        async def team(channel: str) -> None:
            await fleet.command("/timebox", f"roles po <@{PO}|paula>", PO, channel, answers=2)
            await fleet.command("/timebox", f"roles sm <@{SM}|sam>", PO, channel, answers=2)
            auto = " auto" if channel == AUTO else ""
            await fleet.command("/refine", f"schedule mon 14:00 60m{auto}", SM, channel)

        await asyncio.gather(*(team(c) for c in CHANNELS))

        async def pending_reminders() -> int:
            async with db.transaction() as store:
                return len(await store.pending(ceremonies.REMIND))

        await until(lambda: _equals(pending_reminders(), len(CHANNELS)), "six reminders")
        await fleet.at(
            FIRST,
            "the first reminders",
            lambda: all(reminders(emulator, c) for c in CHANNELS),
        )
        await fleet.at(
            datetime(2026, 3, 2, 13, 0, tzinfo=UTC),
            "the automatic start",
            lambda: bool(agendas(emulator, AUTO)),
        )

        # -- all three killed, three new ones started: nothing lost, nothing doubled ----------
        await fleet.kill()
        await fleet.start("gen2")
        await fleet.at(
            SECOND,
            "the second reminders",
            lambda: all(len(reminders(emulator, c)) >= 2 for c in CHANNELS),
        )

        for channel in CHANNELS:
            assert len(reminders(emulator, channel)) == 2, f"{channel}: once per occurrence"
        assert len(agendas(emulator, AUTO)) == 1, "the automatic start began one meeting"
        assert all(agendas(emulator, c) == [] for c in CHANNELS[1:])
        async with db.transaction() as store:
            jobs = [
                j
                for j in await store.jobs()
                if j.kind in (ceremonies.REMIND, ceremonies.START) and j.done_at
            ]
        assert len([j for j in jobs if j.kind == ceremonies.REMIND]) == 2 * len(CHANNELS)
        assert not [(j.key, j.attempts) for j in jobs if j.attempts > 1], "none ran twice"
        assert emulator.problems == []


async def _equals(count, n: int) -> bool:
    return await count == n
