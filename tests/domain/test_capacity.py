"""Capacity arithmetic: days off, focus factor, velocity over 0 to 3 (and more) sprints."""

from __future__ import annotations

import pytest

from agendas.agenda import builtin
from bot.domain.capacity import Capacity, check_focus, forecast_of, velocity
from bot.domain.errors import UserError


@pytest.mark.parametrize(
    ("completed", "expected"),
    [([], None), ([20], 20), ([20, 30], 25), ([20, 30, 40], 30), ([20, 30, 40, 1000], 30)],
)
def test_velocity_is_the_average_of_the_last_three_sprints(completed, expected):
    assert velocity(completed) == expected


def test_days_off_reduce_availability_hours_and_forecast():
    cap = Capacity(
        developers=("A", "B", "C", "D"),
        working_days=10,
        days_off={"A": 2, "B": 0.5, "X": 9},
        focus_factor=0.75,
        hours_per_day=8,
        velocity=30,
    )
    assert cap.person_days == 40 and cap.available_days == 37.5
    assert cap.availability == pytest.approx(0.9375)
    assert cap.hours == pytest.approx(37.5 * 8 * 0.75)  # 225 hours
    assert cap.forecast == pytest.approx(28.125)
    assert cap.load(28.125) == pytest.approx(100) and cap.load(31) > 100
    assert not cap.focus_outside_range


def test_without_velocity_the_team_gives_a_first_forecast():
    cap = Capacity(("A",), working_days=5, days_off={}, first_forecast=12)
    assert cap.forecast == 12 and cap.load(6) == 50
    assert Capacity(("A",), 5, {}).forecast is None and Capacity(("A",), 5, {}).load(5) is None


def test_more_days_off_than_days_and_odd_focus():
    cap = Capacity(("A", "B"), working_days=5, days_off={"A": 8}, focus_factor=0.6)
    assert cap.available_days == 5 and cap.focus_outside_range
    assert Capacity((), 10, {}).availability == 0.0
    with pytest.raises(UserError, match="focus factor"):
        check_focus(1.5)


def test_the_forecast_scales_velocity_by_availability_and_falls_back_to_the_first_forecast():
    assert forecast_of(30, 12) == 30  # everyone available
    assert forecast_of(30, 12, 0.5) == 15  # the first forecast counts only without velocity
    assert forecast_of(0.0, 12) == 0.0  # a velocity of nothing is still a velocity
    assert forecast_of(None, 12, 0.5) == 12 and forecast_of(None, None) is None
    away = Capacity(("A", "B"), working_days=10, days_off={"A": 10}, velocity=30)
    assert away.forecast == forecast_of(30, None, 0.5) == 15


def test_the_focus_factor_changes_the_hours_not_the_forecast_as_the_agenda_says():
    """The velocity already holds the team's usual focus: the focus factor scales the hours
    for tasks, and the planning's capacity section says so (it once said it made the forecast)."""
    usual, low = (Capacity(("A",), 10, {}, focus_factor=f, velocity=20) for f in (0.75, 0.4))
    assert usual.forecast == low.forecast == 20 and low.hours < usual.hours
    [capacity] = [s for s in builtin("planning").sections if s.title == "Capacity check"]
    assert "forecast in points" in capacity.purpose and "hours for tasks" in capacity.purpose
