"""A planning's reminder forecasts what the planning card will with everyone available: the
velocity per working day times the working days the sprint will have when planned that day,
and reading the sprint being planned changes nothing of it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import sprints
from tests.domain.factories import team
from tests.domain.test_sprints import sprint


def test_a_planning_held_late_forecasts_the_days_left_of_its_slot_as_the_card_does():
    closed = [sprint(2, "closed", completed_points=20.0)]  # 10 working days
    planned = sprint(3, "planning")  # 30 March to 12 April
    late = date(2026, 4, 2)  # Thursday: 3 of its 10 working days gone
    said = sprints.forecast_before_planning(team(), closed, planned, closed[0], late)
    assert (said.working_days, said.velocity_days) == (7, 10)
    assert said.full_forecast == pytest.approx(14.0)
    held = sprint(3, "planning", starts_on=late)  # as the planning makes it (`catch_up`)
    card = sprints.capacity_after(team(), held, ("A", "B"), closed)
    assert card.forecast == pytest.approx(said.full_forecast)
    assert planned.starts_on == date(2026, 3, 30), "the sprint being planned is not touched"


def test_without_a_sprint_being_planned_the_next_one_of_the_calendar_is_forecast():
    closed = [sprint(1, "closed", completed_points=14.0, starts_on=date(2026, 3, 5))]  # 7 days
    said = sprints.forecast_before_planning(team(), closed, None, closed[0], date(2026, 3, 16))
    assert (said.working_days, said.velocity_days, said.full_forecast) == (10, 7, 20.0)
