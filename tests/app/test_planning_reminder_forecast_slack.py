"""The planning's reminder gives the forecast the planning card will: the velocity per working
day times the working days of the sprint being planned, at full availability (who develops and
their days off are settled in the planning). Spain's team did 13 points in sprint 1's 8 working
days; sprint 2 (16-29 Dec, the 25th a holiday) has 9 when planned on time, so 14.6 points, and
7 when its planning is moved to Friday 18, so 11.4: the reminder said 13 either way."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import reminders, say
from tests.app.test_planning_forecast_days_slack import last_card, sprint_one_done
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at


async def reminder_for(slack: LocalStack, day: int) -> str:
    """The planning's reminder that came by 10:00 UTC on `day` December, as shown."""
    before = len(reminders(slack))
    for hour in range(6, 11):
        await at(slack, datetime(2026, 12, day, hour, 0, tzinfo=UTC))
    [said] = reminders(slack)[before:]
    return shown(said)


async def planning_scheduled(slack: LocalStack) -> None:
    """Sprint 1 closed at 13 points, and the planning scheduled at 10:00 (Berlin time)."""
    await sprint_one_done(slack)
    await say(slack, "/planning", "schedule 10:00")


async def test_the_reminder_forecasts_the_working_days_of_the_sprint_on_time(slack):
    await planning_scheduled(slack)
    said = await reminder_for(slack, 16)
    forecast = (
        "*Forecast:* 14.6 points: the team's velocity of 13 points for this sprint's 9 working "
        "days (the last sprint had 8).\\n*Ready items"
    )
    assert "for sprint 2" in said and forecast in said, said
    assert "13 points (the team's velocity)" not in said


async def test_a_planning_moved_later_forecasts_as_its_card_does(slack):
    await planning_scheduled(slack)
    await say(slack, "/timebox", "calendar move 2026-12-16 to 2026-12-18 10:00")
    said = await reminder_for(slack, 18)
    assert "*Forecast:* 11.4 points: the team's velocity of 13 points for this sprint's 7" in said
    for step in ("start 1h", "add 3", "next", "next"):
        await cmd(slack, "/planning", step)
    assert "*forecast* 11.4 points for this sprint's 7 working days" in last_card(slack)


async def test_the_same_working_days_say_the_velocity_as_before(slack):
    """Sprint 2, its planning begun on 16 Dec but not committed, takes the slot of 30 Dec to
    12 Jan (1 and 6 Jan holidays): 8 working days, as sprint 1 had, so nothing to scale."""
    await sprint_one_done(slack)
    slack.clock.set(datetime(2026, 12, 16, 9, 0, tzinfo=UTC))
    await cmd(slack, "/planning", "start 1h")
    await say(slack, "/planning", "schedule 10:00")
    said = await reminder_for(slack, 30)
    assert "for sprint 2" in said and "*Forecast:* 13 points (the team's velocity)." in said, said
