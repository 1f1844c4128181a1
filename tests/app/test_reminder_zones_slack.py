"""The daily readiness reminder keeps the team's local time across daylight-saving changes and
restarts (New York in March, Berlin in October), and one sent late past local midnight counts
for the day it was due, so the next day's still comes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from bot.usecases.housekeeping import restore_schedules
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at, bot_posts, make_team, ready
from tests.conftest import PO


def readiness(slack: LocalStack) -> list:
    return [m for m in bot_posts(slack) if "calendar_start" not in str(m.blocks)]


async def test_new_york_reminder_keeps_0930_across_the_march_change_and_a_restart(slack, db, clock):
    await make_team(slack, ["Export invoices"])
    await cmd(slack, "/timebox", "settings timezone America/New_York", PO)
    await ready(slack, "remind at 09:30")
    for day in (3, 4, 5, 6):  # Tue-Fri at 09:30 EST (14:30 UTC)
        await at(slack, datetime(2026, 3, day, 14, 29, tzinfo=UTC))
        await at(slack, datetime(2026, 3, day, 14, 30, tzinfo=UTC))
    assert len(readiness(slack)) == 4
    await at(slack, datetime(2026, 3, 7, 14, 30, tzinfo=UTC))  # Saturday
    await at(slack, datetime(2026, 3, 8, 13, 30, tzinfo=UTC))  # Sunday: the change
    assert len(readiness(slack)) == 4, "no reminder at the weekend"
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        await restore_schedules(restarted.services)
        await at(restarted, datetime(2026, 3, 9, 13, 29, tzinfo=UTC))
        assert len(readiness(slack)) == 4, "not before 09:30 EDT"
        await at(restarted, datetime(2026, 3, 9, 13, 30, tzinfo=UTC))  # 09:30 EDT
        assert len(readiness(slack)) == 5, "Monday's at 09:30 New York time"
        await at(restarted, datetime(2026, 3, 9, 14, 30, tzinfo=UTC))  # 10:30 EDT
        await restore_schedules(restarted.services)
        await at(restarted, datetime(2026, 3, 9, 14, 31, tzinfo=UTC))
        assert len(readiness(slack)) == 5, "once"
    finally:
        await restarted.stop()


async def test_berlin_reminder_keeps_0930_across_the_october_change(slack):
    await make_team(slack, ["Export invoices"])
    await at(slack, datetime(2026, 10, 21, 12, 0, tzinfo=UTC))
    await ready(slack, "remind at 09:30")
    before = len(readiness(slack))
    await at(slack, datetime(2026, 10, 22, 7, 30, tzinfo=UTC))  # Thu 09:30 CEST
    await at(slack, datetime(2026, 10, 23, 7, 30, tzinfo=UTC))  # Fri 09:30 CEST
    assert len(readiness(slack)) == before + 2
    await at(slack, datetime(2026, 10, 25, 8, 30, tzinfo=UTC))  # Sunday, the change
    await at(slack, datetime(2026, 10, 26, 7, 30, tzinfo=UTC))  # Mon 08:30 CET: too early
    assert len(readiness(slack)) == before + 2
    await at(slack, datetime(2026, 10, 26, 8, 30, tzinfo=UTC))  # Mon 09:30 CET
    assert len(readiness(slack)) == before + 3


async def test_a_late_evening_reminder_sent_late_after_midnight_keeps_the_next_days(slack):
    """23:30 in Berlin on Tuesday, the bot back 45 minutes late (00:15 Wednesday): within the
    grace hour, so Tuesday's comes; Wednesday's 23:30 must still come."""
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 23:30")
    await at(slack, datetime(2026, 3, 3, 23, 15, tzinfo=UTC))  # due 22:30 UTC, 45 min late
    assert len(readiness(slack)) == 1, "Tuesday's, late within the grace hour"
    await at(slack, datetime(2026, 3, 4, 22, 30, tzinfo=UTC))  # Wed 23:30 in Berlin
    assert len(readiness(slack)) == 2, "Wednesday's own reminder"
