"""The forecast is yesterday's weather per working day: the velocity's points per working day
(of the sprints it was earned in) times the working days this sprint really has (days gone
before planning and public holidays out), then days off per developer as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from bot.domain import sprints
from bot.domain.capacity import Capacity, velocity_days
from storage.models import Sprint
from tests.domain.factories import team

DEVS = ("UA", "UB", "UC")


def spanish_team():
    """Two-week sprints from Wednesday 2 December 2026, Spain's public holidays off."""
    return team(holiday_country="ES", sprint_start=date(2026, 12, 2))


def sprint_one(points: float = 13.0) -> Sprint:
    """Sprint 1 (2-15 Dec, the 8th a holiday), planned one day late: 8 working days."""
    first = Sprint(number=1, status="closed", starts_on=date(2026, 12, 3))
    first.ends_on, first.completed_points = date(2026, 12, 15), points
    return first


def sprint_two(the_team) -> Sprint:
    """Sprint 2 (16-29 Dec, the 25th a holiday), planned on Friday 18: 7 working days."""
    second = Sprint(number=2, status="planning", starts_on=date(2026, 12, 16))
    second.ends_on, second.days_off = date(2026, 12, 29), {}
    second.focus_factor, second.hours_per_day = 0.75, 8.0
    sprints.catch_up(the_team, second, date(2026, 12, 18))
    return second


def test_qa_a_sprint_with_fewer_working_days_forecasts_fewer_points():
    the_team, closed = spanish_team(), [sprint_one()]
    planned = sprint_two(the_team)
    assert sprints.working_days(the_team, closed[0]) == 8
    rate = sprints.velocity_of(closed), sprints.velocity_days_of(the_team, closed)
    cap = sprints.capacity(the_team, planned, DEVS, *rate)
    assert (cap.working_days, cap.days_gone, cap.velocity, cap.velocity_days) == (7, 2, 13, 8)
    assert cap.forecast == pytest.approx(13 / 8 * 7)  # 11.4 points, not 13
    assert cap.availability == 1.0 and cap.days_scale == pytest.approx(7 / 8)
    off = replace(cap, days_off={"UA": 3.5})
    assert off.forecast == pytest.approx(13 / 8 * 7 * (21 - 3.5) / 21), "days off as before"


def test_three_sprints_give_their_points_over_their_working_days():
    """13 points in 8 days, 20 in 10, 9 in 6: 42 points in 24 days, 1.75 a day, whatever the
    length of each; the card's average velocity over its average days is that same rate."""
    assert velocity_days([8, 10, 6]) == 8 and velocity_days([8, 10, 6, 100]) == 8
    cap = Capacity(DEVS, working_days=7, days_off={}, velocity=14, velocity_days=8)
    assert cap.forecast == pytest.approx(42 / 24 * 7)
    longer = Capacity(DEVS, working_days=10, days_off={}, velocity=14, velocity_days=8)
    assert longer.forecast == pytest.approx(17.5) and longer.availability == 1.0


def test_sprints_without_working_days_do_not_divide_by_zero():
    assert velocity_days([]) is None and velocity_days([0, 0]) is None
    assert velocity_days([0, 8]) == 4  # its points were done in the other sprint's days
    unknown = Capacity(DEVS, working_days=7, days_off={}, velocity=13, velocity_days=None)
    assert unknown.days_scale == 1.0 and unknown.forecast == 13, "the velocity as it stands"
    empty = Capacity(DEVS, working_days=0, days_off={}, velocity=13, velocity_days=8)
    assert empty.forecast == 0.0 and empty.availability == 0.0


def test_a_first_forecast_is_not_scaled_and_the_record_keeps_the_days():
    first = Capacity(DEVS, working_days=7, days_off={}, first_forecast=12, velocity_days=8)
    assert first.forecast == 12
    cap = Capacity(DEVS, working_days=7, days_off={}, velocity=13, velocity_days=8)
    assert cap.to_data()["velocity_days"] == 8 and cap.to_data()["forecast"] == cap.forecast


def test_the_commitment_records_the_forecast_the_planning_showed():
    the_team, closed = spanish_team(), [sprint_one()]
    planned = sprint_two(the_team)
    planned.committed_points = 8.0
    cap = sprints.capacity_after(the_team, planned, DEVS, closed)
    sprints.record_capacity(planned, cap)
    assert planned.capacity is not None
    assert planned.capacity["forecast"] == pytest.approx(11.375)
    assert planned.capacity["load"] == pytest.approx(100 * 8 / 11.375)


def planning_sprint(the_team, number: int) -> Sprint:
    """Sprint `number` of `the_team`'s slots in planning, on its first day."""
    sprint = Sprint(number=number, status="planning", days_off={}, focus_factor=0.75)
    sprint.starts_on, sprint.ends_on = sprints.sprint_dates(the_team, number)
    sprint.hours_per_day = 8.0
    return sprint


def committed_sprint(the_team, number: int, planned_on: date | None = None) -> Sprint:
    """Sprint `number` of `the_team`'s slots, planned on `planned_on` (its first day if None),
    committed with the capacity it had then and closed with 30 points done."""
    sprint = planning_sprint(the_team, number)
    sprint.committed_points = 30.0
    sprints.catch_up(the_team, sprint, planned_on or sprint.starts_on)
    sprints.record_capacity(sprint, sprints.capacity(the_team, sprint, DEVS, None))
    sprint.status, sprint.completed_points = "closed", 30.0
    return sprint


def test_the_velocity_keeps_the_working_days_its_sprints_had_after_the_team_changes_them():
    """Three 2-week sprints of 30 points on Monday to Friday (10 working days each); the team
    then works Monday to Thursday: 3 points a day over the next sprint's 8 days is 24 points,
    not the 30 that recounting the past sprints on today's days would give."""
    five_days = team()
    closed = [committed_sprint(five_days, n) for n in (3, 2, 1)]
    four_days = team(working_days="mon,tue,wed,thu")
    assert sprints.velocity_days_of(four_days, closed) == 10
    cap = sprints.capacity_after(four_days, planning_sprint(four_days, 4), DEVS, closed)
    assert (cap.working_days, cap.velocity_days) == (8, 10)
    assert cap.forecast == pytest.approx(24.0)


def test_a_sprint_planned_late_keeps_the_days_it_really_had_and_old_ones_are_recounted():
    """Sprint 1 planned on Wednesday 4 March had 8 of its 10 days (2 gone before planning): its
    record says 8, whatever the team's days later. A sprint committed before the record kept
    its working days is counted from its dates with the team's days of today."""
    five_days = team()
    late = committed_sprint(five_days, 1, planned_on=date(2026, 3, 4))
    assert late.capacity is not None
    assert (late.capacity["working_days"], late.capacity["days_gone"]) == (8, 2)
    old = committed_sprint(five_days, 2)
    old.capacity = None
    four_days = team(working_days="mon,tue,wed,thu")
    assert sprints.velocity_days_of(four_days, [late]) == 8
    assert sprints.velocity_days_of(four_days, [old]) == 8  # 16-27 March, Monday to Thursday
    assert sprints.velocity_days_of(four_days, [old, late]) == 8
    no_days = committed_sprint(five_days, 3)
    no_days.capacity = {"forecast": 30.0}  # a record from before it kept working days
    assert sprints.velocity_days_of(four_days, [no_days]) == 8


def test_a_sprint_closed_early_counts_only_the_days_it_ran():
    """Two sprints of 30 points in 10 working days each, then one the team closed on its
    second day with nothing done (cancelled): 60 points in 22 days, not in 30. The next
    10-day sprint forecasts 60 / 22 * 10 = 27.3 points, not the 20 a full 10 days for the
    cancelled one would give."""
    five_days = team()
    cut_short = committed_sprint(five_days, 3)
    cut_short.completed_points = 0.0
    cut_short.closed_at = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # Tuesday, its 2nd day
    closed = [cut_short, committed_sprint(five_days, 2), committed_sprint(five_days, 1)]
    for full in closed[1:]:
        full.closed_at = datetime.combine(full.ends_on, time(17), tzinfo=UTC)
    assert sprints.velocity_days_of(five_days, closed) == pytest.approx(22 / 3)
    cap = sprints.capacity_after(five_days, planning_sprint(five_days, 4), DEVS, closed)
    assert cap.forecast == pytest.approx(60 / 22 * 10)
