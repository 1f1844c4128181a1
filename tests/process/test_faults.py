"""kill -9 in the middle of a meeting, a poll's nudge, a reminder fan-out and a poll's result, then
a restart: nothing is lost and nothing is doubled.

A real `timebox run` process is killed while the Slack emulator holds one of its posts (as if
Slack were slow to answer), and a new process takes over the same database. On SQLite and on
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.emulator import SlackDriver
from bot.runtime import outbox
from storage.db import Database
from tests.fleet import (
    PO,
    SM,
    Instance,
    Relaunches,
    command,
    instance_env,
    settled,
    slack_world,
    until,
)
from tests.fleet import bot_posts as top
from tests.fleet import thread_texts as replies

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
DEVS = ["U0D1", "U0D2", "U0D3"]
REMINDERS = [f"CR{n}" for n in range(10)]
MEETING, POLL = "CM", "CP"
HELD = 60.0  # seconds the emulator would hold a post: the kill comes long before


async def named(driver: SlackDriver, roles: str, channel: str) -> None:
    """`/timebox roles …` by Paula, waited for until both its answers are on screen (the change
    told in the channel, then hers): the next command, one of them, would not wait for its own."""
    await command(driver, "/timebox", f"roles {roles}", user=PO, channel=channel, answers=2)


@pytest.fixture
async def emulator_and_clock(tmp_path):
    channels = dict.fromkeys([*REMINDERS, MEETING, POLL], (PO, SM, *DEVS))
    async with slack_world(tmp_path, START, channels, DEVS) as world:
        yield world


async def test_kill_9_mid_meeting_mid_fan_out_and_mid_poll_loses_and_doubles_nothing(
    emulator_and_clock, empty_database_url, tmp_path
):
    emulator, clock = emulator_and_clock
    env = instance_env(emulator, empty_database_url, clock.path)
    runs = Relaunches(env, tmp_path)
    start = runs.start

    async def kill_while_held(instance: Instance, what: str, count: int = 1) -> Instance:
        """Waits until the emulator holds `count` posts, kills the process, starts another."""
        await until(lambda: sum(c.held > 0 for c in emulator.calls) >= count, f"held {what}")
        await instance.kill()
        emulator.release_held()
        return await start()

    db = Database(empty_database_url)
    instance = await start()
    try:
        # -- a team per channel, a refinement meeting, an async poll with two votes of three
        driver = instance.driver(emulator)
        for channel in REMINDERS:
            # Issue 13, point 5: the team is set up with its PO (nobody claims it by acting
            # first, which answered twice: the "you are the PO now" notice, then the settings).
            await named(driver, f"po <@{PO}|paula>", channel)
            await command(
                driver,
                "/timebox",
                "settings timezone Europe/Berlin",
                user=PO,
                channel=channel,
                answers=1,
            )
            await command(driver, "/backlog", "add Not ready", user=PO, channel=channel)
            await command(driver, "/ready", "remind at 09:40", user=PO, channel=channel)
        for channel in (MEETING, POLL):  # the PO named first: nobody claims it by acting
            await named(driver, f"po <@{PO}|paula>", channel)
        await named(driver, f"sm <@{SM}|sam>", MEETING)
        await command(driver, "/backlog", "add Triage me", user=PO, channel=MEETING)
        await command(driver, "/refine", "start 45m", user=SM, channel=MEETING)
        agenda = top(emulator, MEETING)[0]
        await named(driver, f"sm <@{SM}|sam>", POLL)
        await command(driver, "/backlog", "add Estimate me", user=PO, channel=POLL)
        await command(driver, "/poker", "async 1 for 1h", user=SM, channel=POLL)
        poll = top(emulator, POLL)[0]
        for dev, card in zip(DEVS[:2], ("3", "5"), strict=True):  # the third never votes
            await driver.click(card, user=dev, message=poll)
        await until(lambda: _votes(db, 2), "two votes in the database")
        await driver.aclose()

        # -- 1. the meeting: killed while Slack takes the section's warning -----------------
        emulator.delay_next(
            "chat.postMessage", HELD, applied=True, match=lambda a: "min left" in str(a)
        )
        clock.set(START + timedelta(minutes=3))
        instance = await kill_while_held(instance, "the warning")
        clock.set(START + timedelta(minutes=6))  # past the dead process's lease; time is up
        await until(
            lambda: any("Time is up" in t for t in replies(emulator, MEETING, agenda.ts)),
            "the time-up after the restart",
        )

        # -- 2. the poll's first nudge: killed before its direct message reached Slack ------
        emulator.delay_next(
            "chat.postMessage", HELD, applied=False, match=lambda a: "not voted" in str(a)
        )
        clock.set(START + timedelta(minutes=30))
        instance = await kill_while_held(instance, "the half-time nudge", count=2)
        clock.set(START + timedelta(minutes=33))  # past the dead process's lease
        await until(lambda: len(emulator.dms(DEVS[2])) == 1, "the half-time nudge")

        # -- 3. the reminder fan-out: one post reached Slack, one did not ------------------
        def reminder(args: dict[str, Any]) -> bool:
            return str(args.get("channel")).startswith("CR")

        emulator.delay_next("chat.postMessage", HELD, applied=True, match=reminder)
        emulator.delay_next("chat.postMessage", HELD, applied=False, match=reminder)
        clock.set(datetime(2026, 3, 2, 8, 40, tzinfo=UTC))  # 09:40 in Berlin
        instance = await kill_while_held(instance, "two reminders", count=4)
        clock.set(datetime(2026, 3, 2, 8, 43, tzinfo=UTC))
        await until(lambda: all(top(emulator, c) for c in REMINDERS), "every reminder")
        clock.set(START + timedelta(minutes=45))
        await until(lambda: len(emulator.dms(DEVS[2])) == 2, "the last nudge")

        # -- 4. the poll's deadline: killed while Slack takes the result (it has it) ------
        emulator.delay_next(
            "chat.postMessage", HELD, applied=True, match=lambda a: "voting closed" in str(a)
        )
        clock.set(START + timedelta(hours=1))
        instance = await kill_while_held(instance, "the result", count=5)
        clock.set(START + timedelta(hours=1) + outbox.SETTLE_AFTER + timedelta(minutes=1))
        await until(lambda: settled(db, clock), "every due job done after the last restart")

        # -- exactly once ----------------------------------------------------------------
        thread = replies(emulator, MEETING, agenda.ts)
        assert sum("min left in *Kick-off*" in t for t in thread) == 1
        assert sum("Time is up for *Kick-off*" in t for t in thread) == 1
        for channel in REMINDERS:
            assert len(top(emulator, channel)) == 1, f"{channel}: one reminder"
        dropped = [c for c in emulator.calls if c.dropped]
        assert len(dropped) == 2, "a nudge and a reminder never reached Slack before the kill"
        [reminder] = [c.args["channel"] for c in dropped if c.args["channel"] not in DEVS]
        assert len(top(emulator, reminder)) == 1, "the dropped reminder: sent after the restart"
        closed = [m for m in top(emulator, POLL) if "has closed" in m.text]
        assert len(closed) == 1
        [result] = replies(emulator, POLL, poll.ts)
        assert "2 votes" in result
        async with db.transaction() as store:
            [round_] = await store.rounds(1)
        [posted] = emulator.thread(POLL, poll.ts)[1:]
        assert round_.result_ts == posted.ts, "the result's ts is kept: it can still be edited"
        assert await _votes(db, 2), "no vote lost"
        assert len(emulator.dms(DEVS[2])) == 2, "the one who did not vote: nudged twice"
        assert emulator.problems == []
    finally:
        await db.dispose()
        code = await instance.stop()
    assert code == 0
    killed = [tmp_path / f"run-{n}.log" for n in range(1, runs.count)]
    assert all(log.exists() for log in killed)
    assert "Traceback" not in instance.output(), instance.tail()


async def _votes(db: Database, n: int) -> bool:
    async with db.transaction() as store:
        rounds = [r.id for r in await store.rounds(1)]
        ballots = await store.ballots(rounds)
    return sum(len(b) for b in ballots.values()) == n
