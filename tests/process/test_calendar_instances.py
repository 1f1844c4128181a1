"""Three `timebox run` processes on one PostgreSQL database: each scheduled refinement's
reminder reaches its channel exactly once per occurrence, across a crash of all three (killed,
then started again), and an automatic start begins its meeting once.

The fleet of test_instances.py: they share the Slack emulator and the database, and take
their time from one clock file, so the reminders come due in every process at the same moment.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from bot.domain import ceremonies
from bot.emulator import SlackEmulator
from storage.db import Database
from tests.fleet import Instance, SharedClock, bot_posts, instance_env, until
from tests.fleet import command as fleet_command

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
FIRST = datetime(2026, 3, 2, 12, 45, tzinfo=UTC)  # 13:45 in Berlin: 15 min before 14:00
SECOND = datetime(2026, 3, 9, 12, 45, tzinfo=UTC)
PO, SM = "U0PO", "U0SM"
CHANNELS = [f"CC{n}" for n in range(6)]
AUTO = CHANNELS[0]  # its refinement starts by itself


def reminders(emulator: SlackEmulator, channel: str) -> list[object]:
    return [m for m in bot_posts(emulator, channel) if "calendar_start" in str(m.blocks)]


def agendas(emulator: SlackEmulator, channel: str) -> list[object]:
    return [m for m in bot_posts(emulator, channel) if "meeting_next" in str(m.blocks)]


async def test_three_instances_remind_once_per_occurrence_across_a_crash(fresh_postgres, tmp_path):
    clock = SharedClock(tmp_path / "clock", START)
    emulator = SlackEmulator(now=clock.now)
    emulator.add_user(PO, "paula", tz="Europe/Berlin")
    emulator.add_user(SM, "sam", tz="Europe/Berlin")
    for channel in CHANNELS:
        emulator.add_channel(channel, channel.lower(), members=[PO, SM, "UBOT"])
    db = Database(fresh_postgres)
    fleet: list[Instance] = []
    drivers: list[object] = []
    async with emulator:
        env = instance_env(emulator, fresh_postgres, tmp_path / "clock")
        try:

            async def start_fleet(generation: int) -> None:
                fleet[:] = [Instance(f"gen{generation}-{n}", env, tmp_path) for n in range(3)]
                await asyncio.gather(*(instance.start() for instance in fleet))
                await asyncio.gather(*(instance.wait_healthy() for instance in fleet))
                drivers[:] = [instance.driver(emulator) for instance in fleet]

            await start_fleet(1)
            spread = itertools.cycle(range(3))

            async def command(name: str, text: str, user: str, channel: str, answers=1) -> None:
                driver = drivers[next(spread)]
                await fleet_command(driver, name, text, user=user, channel=channel, answers=answers)

            async def team(channel: str) -> None:
                await command("/timebox", f"roles po <@{PO}|paula>", PO, channel)
                await command("/timebox", f"roles sm <@{SM}|sam>", PO, channel)
                auto = " auto" if channel == AUTO else ""
                await command("/refine", f"schedule mon 14:00 60m{auto}", SM, channel)

            await asyncio.gather(*(team(c) for c in CHANNELS))

            async def pending_reminders() -> int:
                async with db.transaction() as store:
                    return len(await store.pending(ceremonies.REMIND))

            async def settled() -> bool:
                async with db.transaction() as store:
                    return not await store.overdue(clock.now())

            async def at(when: datetime, what: str, check) -> None:
                clock.set(when)
                await until(check, what)
                await until(settled, f"due work done after {what}")

            await until(lambda: _equals(pending_reminders(), len(CHANNELS)), "six reminders")
            await at(
                FIRST,
                "the first reminders",
                lambda: all(reminders(emulator, c) for c in CHANNELS),
            )
            await at(
                datetime(2026, 3, 2, 13, 0, tzinfo=UTC),
                "the automatic start",
                lambda: bool(agendas(emulator, AUTO)),
            )

            # -- all three killed, three new ones started: nothing lost, nothing doubled ------
            for driver in drivers:
                await driver.aclose()  # type: ignore[attr-defined]
            await asyncio.gather(*(instance.kill() for instance in fleet))
            await start_fleet(2)
            await at(
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
        finally:
            for driver in drivers:
                await driver.aclose()  # type: ignore[attr-defined]
            await db.dispose()
            codes = await asyncio.gather(*(instance.stop() for instance in fleet))
    for instance in fleet:
        assert "Traceback" not in instance.output(), instance.tail()
    assert codes == [0, 0, 0]


async def _equals(count, n: int) -> bool:
    return await count == n
