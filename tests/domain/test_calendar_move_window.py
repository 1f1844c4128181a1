"""A planning moves within the sprint it opens, to the end of the sprint's slot, also when the
sprint's first day is a holiday and the planning falls on the day after it."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.calendar import check_move, move_window
from bot.domain.errors import UserError
from tests.domain.factories import team


def test_a_planning_after_a_holiday_moves_no_further_than_its_sprints_slot():
    # Easter Monday (6 April 2026) is a holiday in Germany: sprint 1 (6 to 19 April) is
    # planned on Tuesday 7 April; 20 April is the next sprint's first day.
    german = team(holiday_country="DE", sprint_start=date(2026, 4, 6), sprint_weeks=2)
    assert move_window(german, "planning", date(2026, 4, 7), 2) == (
        date(2026, 4, 7),
        date(2026, 4, 19),
    )
    check_move(german, "planning", date(2026, 4, 7), 2, date(2026, 4, 19), time(10))
    with pytest.raises(UserError, match="Sun 19 Apr 2026"):
        check_move(german, "planning", date(2026, 4, 7), 2, date(2026, 4, 20), time(10))


def test_a_planning_on_its_sprints_first_day_moves_to_the_slots_end():
    the_team = team(sprint_start=date(2026, 3, 2), sprint_weeks=2)
    assert move_window(the_team, "planning", date(2026, 3, 16), 2) == (
        date(2026, 3, 16),
        date(2026, 3, 29),
    )
    assert move_window(team(sprint_start=None, sprint_weeks=2), "planning", date(2026, 3, 4), 2)[
        1
    ] == date(2026, 3, 17)
