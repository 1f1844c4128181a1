"""Ceremony reminders, like the readiness reminder, never come on a day the team does not work:
an occurrence its rule gives on a day that became a day off (working days or public holidays
changed after it was planned) is gone, and its pending reminder does nothing; a sprint
planning moves to the sprint's first working day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import ceremonies as rules
from tests.domain.factories import team
from tests.domain.test_ceremonies import MONDAY, planning, refinement

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_reminder_planned_for_a_day_that_became_a_day_off_does_nothing():
    the_team = team()
    ceremony = refinement(the_team, "fri 14:00")
    friday = rules.next_occurrences(the_team, ceremony, MONDAY, 1)[0]
    payload = rules.job_payload(7, friday)
    the_team.working_days = "tue,wed,thu"
    due = rules.due_verdict(the_team, ceremony, payload, rules.remind_at(friday, 15), "remind")
    assert not due.act and due.outcome == "skipped: no longer on the calendar"
    assert rules.next_occurrences(the_team, ceremony, MONDAY, 1) == []


def test_a_reminder_planned_before_the_holidays_were_set_does_nothing_on_one():
    the_team = team()
    ceremony = refinement(the_team, "fri 14:00")
    after = datetime(2026, 3, 30, tzinfo=UTC)
    good_friday = rules.next_occurrences(the_team, ceremony, after, 1)[0]
    payload = rules.job_payload(7, good_friday)
    the_team.holiday_country = "DE"
    due = rules.due_verdict(the_team, ceremony, payload, rules.remind_at(good_friday, 15), "remind")
    assert not due.act


def test_a_planning_on_a_day_off_is_held_on_the_sprints_first_working_day():
    the_team = team(working_days="tue,wed,thu")
    held = rules.next_occurrences(the_team, planning(the_team), MONDAY - timedelta(days=1), 2)
    assert [o.starts for o in held] == [
        datetime(2026, 3, 3, 10, 0, tzinfo=BERLIN),
        datetime(2026, 3, 17, 10, 0, tzinfo=BERLIN),
    ]
