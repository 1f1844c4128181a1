"""Closing a sprint on its last working day is on time: only whole working days still to come
after today make a close early (QA: a sprint ending Thu 17 Dec, closed that evening in Tokyo, was
called early with "1 working day left")."""

from __future__ import annotations

from datetime import date

from bot.domain import sprints
from storage.models import Sprint
from tests.domain.factories import team


def running(starts: date, ends: date) -> Sprint:
    return Sprint(team_id=1, number=1, status="active", starts_on=starts, ends_on=ends)


def test_the_last_working_day_leaves_no_working_day_after_it():
    the_team = team()  # Monday to Friday
    sprint = running(date(2026, 12, 4), date(2026, 12, 17))  # Fri 04 Dec to Thu 17 Dec
    assert sprints.days_after_today(the_team, sprint, date(2026, 12, 17)) == 0
    assert sprints.days_after_today(the_team, sprint, date(2026, 12, 16)) == 1  # Thursday
    assert sprints.days_after_today(the_team, sprint, date(2026, 12, 14)) == 3  # Tue to Thu
    assert sprints.days_left(the_team, sprint, date(2026, 12, 17)) == 1, "the card's count"


def test_a_weekend_before_the_last_working_day_still_leaves_it_to_come():
    the_team = team()
    sprint = running(date(2026, 3, 2), date(2026, 3, 16))  # its last working day a Monday
    assert sprints.days_after_today(the_team, sprint, date(2026, 3, 14)) == 1  # Saturday
    assert sprints.days_after_today(the_team, sprint, date(2026, 3, 16)) == 0


def test_past_its_end_or_before_its_start():
    the_team = team()
    sprint = running(date(2026, 3, 2), date(2026, 3, 15))  # Mon 02 Mar to Sun 15 Mar
    assert sprints.days_after_today(the_team, sprint, date(2026, 3, 14)) == 0  # Saturday after
    assert sprints.days_after_today(the_team, sprint, date(2026, 3, 20)) == 0
    assert sprints.days_after_today(the_team, sprint, date(2026, 2, 27)) == 10, "all of them"
