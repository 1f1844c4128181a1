"""The burndown in hours: when there is nothing to draw yet."""

from __future__ import annotations

from datetime import date

from bot.domain.tasks import no_hours_to_burn
from storage.models import Sprint

SPRINT = Sprint(number=4, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 13))
DAYS = [(date(2026, 3, 2), 0.0), (date(2026, 3, 3), 0.0)]


def test_no_task_hours_at_all_is_nothing_to_draw_and_says_how_to_plan_them():
    why = no_hours_to_burn(SPRINT, DAYS, 0.0)
    assert why is not None
    assert why.startswith("No task of sprint 4 has hours yet: `/sprint tasks <n>`")
    assert no_hours_to_burn(SPRINT, [], 0.0) is not None


def test_hours_planned_at_the_start_or_left_on_some_day_are_drawn():
    assert no_hours_to_burn(SPRINT, DAYS, 12.0) is None
    assert no_hours_to_burn(SPRINT, [*DAYS, (date(2026, 3, 4), 3.5)], 0.0) is None
