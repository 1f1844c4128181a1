"""An automatic start whose agenda card Slack refuses is tried again: a team expects its
meeting to begin at its time even if Slack hiccupped once. The job's retries are bounded;
then a log line says the meeting did not start. A scheduled planning longer than the sprint's
timebox (the sprint shortened since) starts held to the timebox."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.runtime.scheduling import MAX_ATTEMPTS
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import agendas, open_meeting, say, team
from tests.app.test_meeting_posts_durable_slack import refuse_posts
from tests.app.test_ready_slack import at
from tests.conftest import PO

STARTS = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # Monday 10:30 in Berlin


async def test_an_auto_start_whose_agenda_slack_refused_once_starts_on_the_next_try(slack):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")
    await at(slack, STARTS - timedelta(minutes=15))  # the reminder
    refuse_posts(slack)
    await at(slack, STARTS)
    assert agendas(slack) == []
    await at(slack, STARTS + timedelta(minutes=1))
    [agenda] = agendas(slack)
    assert "Backlog refinement" in shown(agenda)
    assert (await open_meeting(slack)).agenda["minutes"] == 45


async def test_an_auto_start_slack_keeps_refusing_gives_up_with_a_log_line(slack, caplog):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")
    await at(slack, STARTS - timedelta(minutes=15))
    refuse_posts(slack, times=MAX_ATTEMPTS)  # every try of the start
    with caplog.at_level(logging.INFO):
        for minute in range(10):
            await at(slack, STARTS + timedelta(minutes=minute))
    assert agendas(slack) == []
    assert any("did not start" in r.getMessage() for r in caplog.records)


async def test_a_scheduled_planning_longer_than_a_shortened_sprints_timebox_starts_held_to_it(
    slack,
):
    await team(slack)
    await say(slack, "/timebox", "settings start 2026-03-16")
    await say(slack, "/planning", "schedule 10:00 4h auto start")
    await say(slack, "/timebox", "settings sprint 1w", user=PO)
    await at(slack, datetime(2026, 3, 16, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
    await at(slack, datetime(2026, 3, 16, 9, 1, tzinfo=UTC))
    [agenda] = agendas(slack)
    assert "Sprint planning" in shown(agenda)
    assert (await open_meeting(slack)).agenda["minutes"] == 120
