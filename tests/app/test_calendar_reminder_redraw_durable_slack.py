"""The redraw of a reminder whose meeting began (without its Start now, saying who started
it) is durable work recorded with the start: a chat.update Slack refuses is tried again by the
job runner, rather than leaving a Start now that would start the meeting a second time. The
start itself stands either way."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import ceremonies_held
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import agendas, open_meeting, pending, reminders, say, team
from tests.app.test_ready_slack import at
from tests.conftest import CHANNEL, SM

REMINDER = datetime(2026, 3, 4, 12, 45, tzinfo=UTC)  # Wednesday 13:45 in Berlin, for 14:00
AUTO_STARTS = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # Monday 10:30 in Berlin


def refuse_updates(slack, times: int = 1) -> None:
    slack.emulator.fail_next("chat.update", status=200, error="fatal_error", times=times)


async def test_a_start_now_redraw_slack_refused_is_made_by_the_job_runner(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, REMINDER)
    [reminder] = reminders(slack)
    refuse_updates(slack)

    await slack.driver.click("Start now", user=SM, message=reminder)

    assert len(agendas(slack)) == 1, "the meeting runs"
    assert (await open_meeting(slack)).facilitator == SM, "the meeting runs all the same"
    assert "calendar_start" in shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    [job] = await pending(slack, ceremonies_held.REDRAW)
    assert job.due_at == slack.clock.now(), "due now, for the job runner's retries"
    await at(slack, slack.clock.now())

    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert f"Started by <@{SM}>" in redrawn and "calendar_start" not in redrawn
    assert "Backlog refinement in 15 min" in redrawn, "it looks as a redraw at once does"
    assert await pending(slack, ceremonies_held.REDRAW) == []


async def test_a_redraw_slack_keeps_refusing_is_retried_with_backoff(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, REMINDER)
    [reminder] = reminders(slack)
    refuse_updates(slack, times=3)  # at once, then the job runner's first two tries

    await slack.driver.click("Start now", user=SM, message=reminder)
    await at(slack, slack.clock.now())
    await at(slack, slack.clock.now().replace(second=10))
    assert "calendar_start" in shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    await at(slack, slack.clock.now().replace(second=50))

    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert f"Started by <@{SM}>" in redrawn and "calendar_start" not in redrawn


async def test_an_auto_starts_redraw_slack_refused_is_made_by_the_job_runner(slack):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")
    await at(slack, AUTO_STARTS.replace(minute=15))
    [reminder] = reminders(slack)
    refuse_updates(slack)

    await at(slack, AUTO_STARTS)  # its redraw refused at once, then made by the job runner

    assert len(agendas(slack)) == 1, "the meeting runs"
    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert f"Began by itself at its time, facilitated by <@{SM}>" in redrawn
    assert "calendar_start" not in redrawn
    async with slack.db.transaction() as store:
        [job] = await store.jobs(ceremonies_held.REDRAW)
    assert job.done_at is not None and job.outcome.startswith("redrawn")
    assert job.attempts == 1, "the job runner's try, after the refused one at once"


async def test_a_start_slack_withdrew_does_not_redraw_its_reminder(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, REMINDER)
    [reminder] = reminders(slack)
    slack.emulator.fail_next("chat.postMessage", status=200, error="fatal_error")

    await slack.driver.click("Start now", user=SM, message=reminder)  # its agenda refused
    await at(slack, slack.clock.now() + ceremonies_held.REDRAW_AFTER)

    assert agendas(slack) == []
    assert len(reminders(slack)) == 1, "the reminder keeps its Start now, to start it again"
    assert await pending(slack, ceremonies_held.REDRAW) == []
