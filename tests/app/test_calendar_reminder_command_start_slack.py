"""A meeting started by command (`/refine start`, `/planning start`) on its occurrence's day
redraws that day's reminder: the channel sees who started it and no Start now that would
start a second one. The redraw is recorded with the start (durable work for the job runner),
and a start on a day with no occurrence of its kind leaves every reminder alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import ceremonies_held
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_reminder_held_slack import run
from tests.app.test_calendar_slack import agendas, pending, reminders, say, team
from tests.app.test_ready_slack import at
from tests.conftest import CHANNEL, PO, SM

REMINDER = datetime(2026, 3, 4, 12, 45, tzinfo=UTC)  # Wednesday 13:45 in Berlin, for 14:00
PLANNING_REMINDER = datetime(2026, 3, 16, 8, 45, tzinfo=UTC)  # Monday 09:45, for 10:00


async def test_refine_start_on_the_day_redraws_its_reminder_saying_who_started_it(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, REMINDER)
    [reminder] = reminders(slack)

    await run(slack, "/refine", "start 30m", user=PO)
    assert len(agendas(slack)) == 1, "the meeting runs"
    [job] = await pending(slack, ceremonies_held.REDRAW)
    assert job.payload["meeting"], "recorded with the start, for the job runner"
    await at(slack, slack.clock.now() + ceremonies_held.REDRAW_AFTER)

    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert f"Started by <@{PO}>" in redrawn and "calendar_start" not in redrawn
    assert "Backlog refinement in 15 min" in redrawn, "the rest of the reminder stays"
    assert reminders(slack) == [] and await pending(slack, ceremonies_held.REDRAW) == []


async def test_planning_start_on_the_sprints_first_day_redraws_its_reminder(slack):
    await team(slack)
    await say(slack, "/timebox", "settings start 2026-03-16")
    await say(slack, "/planning", "schedule 10:00 2h")
    await at(slack, PLANNING_REMINDER)
    [reminder] = reminders(slack)

    await run(slack, "/planning", "start 1h", user=SM)
    await at(slack, slack.clock.now() + ceremonies_held.REDRAW_AFTER)

    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert f"Started by <@{SM}>" in redrawn and "calendar_start" not in redrawn


async def test_a_session_begun_or_held_before_its_reminder_gets_none_nor_a_second_start(slack):
    """Begun by command before its reminder is due, the session gets no reminder (whose Start
    now would start a second one); held and ended before its automatic start, it is not
    started again by itself."""
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m auto")
    await at(slack, REMINDER - timedelta(minutes=30))
    await run(slack, "/refine", "start 30m", user=SM)
    await at(slack, REMINDER)

    assert reminders(slack) == [], "no Start now for a session that runs"
    await run(slack, "/refine", "end", user=SM)
    await at(slack, REMINDER + timedelta(minutes=16))  # past its 14:00 automatic start

    assert agendas(slack) == [], "the session held already is not started again"
    async with slack.db.transaction() as store:
        team_row = await store.team("T0TEAM", CHANNEL)
        assert team_row is not None and await store.open_meeting(team_row.id) is None
        assert len(await store.past_meetings(team_row.id, "refinement", 5)) == 1


async def test_a_start_on_another_day_leaves_the_reminders_alone(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, REMINDER - timedelta(days=1))  # Tuesday: no refinement on the calendar
    await run(slack, "/refine", "start 30m", user=SM)
    assert await pending(slack, ceremonies_held.REDRAW) == []
    await run(slack, "/refine", "end", user=SM)
    await at(slack, REMINDER)
    assert len(reminders(slack)) == 1, "Wednesday's reminder keeps its Start now"
