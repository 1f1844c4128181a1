"""The readiness reminder's days are the days it was given that the team works: the next one
skips the others, a run due on one (planned before the team's days changed) sends nothing, and
the days typed but not worked are named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import reminders
from bot.domain.calendar import next_reminder
from tests.domain.factories import team

THURSDAY_NOON = datetime(2026, 3, 5, 11, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 3, 6, 8, 30, tzinfo=UTC)
TUESDAY_0930 = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)  # 09:30 in Berlin


def test_the_next_reminder_skips_the_days_the_team_does_not_work():
    tue_thu = team(working_days="tue,wed,thu", remind_days="mon,tue,wed,thu,fri")
    assert next_reminder(tue_thu, THURSDAY_NOON) == TUESDAY_0930
    assert next_reminder(team(), THURSDAY_NOON) == TUESDAY_0930 - timedelta(days=4)


def test_no_next_reminder_when_the_team_works_none_of_its_days():
    weekend = team(remind_days="sat,sun")
    assert next_reminder(weekend, THURSDAY_NOON) is None
    assert next_reminder(team(remind_at=None), THURSDAY_NOON) is None


def test_the_days_it_comes_and_the_days_typed_it_does_not():
    days = reminders.days_of(team(working_days="tue,wed,thu", remind_days="mon,tue,wed,thu,fri"))
    assert (days.comes, days.off) == (["tue", "wed", "thu"], ["mon", "fri"])
    assert reminders.days_of(team()).off == []
    following = reminders.days_of(team(working_days="tue,wed,thu", remind_days=""))
    assert (following.comes, following.off) == (["tue", "wed", "thu"], [])


def test_a_run_due_on_a_day_off_sends_nothing():
    tue_thu = team(working_days="tue,wed,thu")
    decided = reminders.verdict(tue_thu, timedelta(0), None, False, FRIDAY)
    assert not decided.send and decided.outcome == "skipped: the team does not work on Friday"
    assert not decided.late


def test_a_run_due_on_a_public_holiday_sends_nothing_and_names_it():
    german = team(holiday_country="DE")
    good_friday = datetime(2026, 4, 3, 7, 30, tzinfo=UTC)
    decided = reminders.verdict(german, timedelta(0), None, False, good_friday)
    assert not decided.send and decided.outcome == "skipped: Good Friday, a public holiday"


def test_a_working_day_goes_on_to_the_other_rules():
    decided = reminders.verdict(team(), timedelta(0), None, False, THURSDAY_NOON)
    assert decided.outcome == "nothing unready"
