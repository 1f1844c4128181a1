"""Which sprint a planning plans (ceremonies.planned_sprint): the number reminders, the calendar
and its feed name, from the team's sprints rather than from the calendar's grid of slots
(a sprint planned late takes the slot holding its day, keeping its number)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import ceremonies as rules
from bot.domain.sprints import recalendar
from storage.models import Sprint
from tests.domain.factories import team

# two-week slots from Mon 2 Mar 2026: 2 Mar, 16 Mar, 30 Mar, 13 Apr, 27 Apr, ...
SLOT = [date(2026, 3, 2) + timedelta(weeks=2 * n) for n in range(8)]


def sprint(number: int, starts: date, status: str, ends: date | None = None) -> Sprint:
    return Sprint(
        number=number,
        status=status,
        starts_on=starts,
        ends_on=ends or starts + timedelta(days=13),
    )


def test_a_sprint_being_planned_late_is_the_one_its_slot_and_the_day_it_catches_up_to_plan():
    """Sprint 1 opened on 2 Mar and not committed: the planning of 30 Mar plans it (it catches
    up), not the grid's sprint 3; the next slot's plans sprint 2."""
    the_team = team()
    open_one = [sprint(1, SLOT[0], "planning")]
    assert rules.planned_sprint(the_team, SLOT[2], open_one, SLOT[2]) == 1
    assert rules.planned_sprint(the_team, SLOT[3], open_one, SLOT[2]) == 2
    assert rules.planned_sprint(the_team, SLOT[4], open_one, SLOT[2] + timedelta(days=1)) == 3
    assert rules.planned_sprint(the_team, SLOT[1], open_one, SLOT[2]) is None, "gone, not held"
    assert rules.sprint_number(the_team, SLOT[3]) == 4, "the grid counts slots, as before"


def test_after_the_latest_sprint_the_next_planning_still_to_come_plans_the_one_after_it():
    """Sprint 1 was committed late (from Wed 1 Apr, the slot of 30 Mar) and sprint 2 is not
    opened: the planning of 13 Apr plans sprint 2; seen on a day after a slot's planning
    went by unheld (20 Apr), the next planning still plans sprint 2."""
    the_team = team()
    late = [sprint(1, date(2026, 4, 1), "active", ends=SLOT[3] - timedelta(days=1))]
    assert rules.planned_sprint(the_team, SLOT[2], late, SLOT[2]) == 1, "its own planning"
    assert rules.planned_sprint(the_team, SLOT[3], late, SLOT[3]) == 2
    assert rules.planned_sprint(the_team, SLOT[4], late, SLOT[3]) == 3
    assert rules.planned_sprint(the_team, SLOT[4], late, date(2026, 4, 20)) == 2


def test_a_sprint_committed_ahead_of_its_slot_has_its_planning_left_out_whatever_the_grid_says():
    """Sprint 1 planned late (from Wed 1 Apr, the grid's third slot) and closed early, sprint
    2 committed ahead on the slot of 13 Apr (the grid's fourth): that planning is not called,
    the next one (27 Apr) plans sprint 3."""
    the_team = team()
    recent = [
        sprint(1, date(2026, 4, 1), "closed", ends=SLOT[3] - timedelta(days=1)),
        sprint(2, SLOT[3], "active"),
    ]
    now = datetime(2026, 4, 8, 9, 0, tzinfo=UTC)
    at = datetime(2026, 1, 1, 10).time()
    ceremony = rules.scheduled(the_team, None, rules.Schedule("planning", at=at), 120, "U0PO", now)
    ceremony.id = 4
    coming = rules.coming(the_team, [ceremony], now, days=30, recent=recent)
    assert [o.day for o in coming] == [SLOT[4]]
    assert rules.planned_sprint(the_team, SLOT[4], recent, now.date()) == 3


def test_a_team_without_sprints_has_its_plannings_named_by_the_calendar():
    the_team = team(sprint_start_number=3)
    assert rules.planned_sprint(the_team, SLOT[1], (), SLOT[0]) == 4


def test_a_start_typed_weeks_after_the_running_sprint_names_no_sprint_in_the_gap():
    """Sprint 3 ends 12 Apr; the next is typed for Mon 11 May (a break): plannings in the
    gap name none, 11 May plans sprint 4 (was 6: the slots before the start counted)."""
    crew = team()  # two-week slots from Mon 2 Mar 2026
    running = sprint(3, date(2026, 3, 30), "active", ends=date(2026, 4, 12))
    today = date(2026, 4, 1)
    recalendar(crew, running, None, today, start=date(2026, 5, 11), was_weeks=2)
    assert rules.planned_sprint(crew, date(2026, 5, 11), [running], today) == 4
    assert rules.planned_sprint(crew, date(2026, 5, 25), [running], today) == 5
    assert rules.planned_sprint(crew, date(2026, 4, 13), [running], today) is None
    assert rules.planned_sprint(crew, date(2026, 4, 27), [running], today) is None
