"""The team calendar: reminder times in local time across DST, weekends, holidays, sprints."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.calendar import (
    next_planning,
    next_reminder,
    parse_country,
    parse_remind,
    working_days_between,
)
from bot.domain.errors import UsageError, UserError
from tests.domain.factories import team


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_reminders_fire_at_the_local_hour_in_each_time_zone():
    after = utc(2026, 3, 2, 6, 0)  # a Monday
    assert next_reminder(team(), after) == utc(2026, 3, 2, 8, 30)  # 09:30 CET
    assert next_reminder(team(timezone="America/New_York"), after) == utc(2026, 3, 2, 14, 30)
    kolkata = next_reminder(team(timezone="Asia/Kolkata"), after)
    assert kolkata == utc(2026, 3, 3, 4, 0), "09:30 IST on Monday had passed: Tuesday's"


def test_daylight_saving_keeps_the_local_hour():
    # Europe switches to summer time on Sunday 29 March 2026: 09:30 becomes 07:30 UTC.
    friday = next_reminder(team(), utc(2026, 3, 27, 0, 0))
    monday = next_reminder(team(), friday)
    assert (friday, monday) == (utc(2026, 3, 27, 8, 30), utc(2026, 3, 30, 7, 30))


def test_weekends_and_public_holidays_are_skipped():
    friday_evening = utc(2026, 3, 6, 17, 0)
    assert next_reminder(team(), friday_evening) == utc(2026, 3, 9, 8, 30)  # Monday
    # Good Friday (3 April) and Easter Monday (6 April 2026) are holidays in Germany.
    german = team(holiday_country="DE")
    assert next_reminder(german, utc(2026, 4, 2, 12, 0)) == utc(2026, 4, 7, 7, 30)
    assert next_reminder(team(), utc(2026, 4, 2, 12, 0)) == utc(2026, 4, 3, 7, 30)


def test_reminder_days_and_off():
    assert next_reminder(team(remind_at=None), utc(2026, 3, 2)) is None
    sunday_team = team(
        remind_days="sun,mon,tue,wed,thu",
        working_days="sun,mon,tue,wed,thu",
        timezone="Asia/Jerusalem",
    )
    assert next_reminder(sunday_team, utc(2026, 3, 6, 12)) == utc(2026, 3, 8, 7, 30)


def test_sprint_calendar_finds_the_next_planning_and_working_days_before_it():
    the_team = team(sprint_start=date(2026, 3, 2), sprint_weeks=2)
    assert next_planning(the_team, date(2026, 2, 20)) == date(2026, 3, 2)
    assert next_planning(the_team, date(2026, 3, 2)) == date(2026, 3, 2)
    assert next_planning(the_team, date(2026, 3, 3)) == date(2026, 3, 16)
    assert next_planning(team(sprint_start=None), date(2026, 3, 3)) is None
    assert working_days_between(the_team, date(2026, 3, 12), date(2026, 3, 16)) == 2  # Thu, Fri


def test_remind_and_country_parsing():
    remind = parse_remind(["at", "9:05am", "mon-wed"])
    assert (remind.at.hour, remind.at.minute, remind.days) == (9, 5, ("mon", "tue", "wed"))
    assert parse_remind(["14:00"]).days == ()
    assert parse_remind(["at", "2pm"]).at.hour == 14
    assert parse_remind(["off"]) is None
    with pytest.raises(UsageError, match="not a time"):
        parse_remind(["at", "noonish"])
    with pytest.raises(UsageError, match="not a time of day"):
        parse_remind(["25:00"])
    assert parse_country("de") == "DE" and parse_country("none") == ""
    with pytest.raises(UserError, match="country code"):
        parse_country("Narnia")
