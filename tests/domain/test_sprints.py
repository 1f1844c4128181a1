"""Which sprint the team is in, the days it has left, the next planning, and the ready items
and forecast a planning starts from: plain rules on rows, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain import sprints
from bot.domain.capacity import Capacity
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from storage.models import Sprint, SprintItem
from tests.domain.factories import item, team


def sprint(number: int, status: str, **changes) -> Sprint:
    """Sprint `number` of the team's two-week calendar that starts on Monday 2 March 2026."""
    the_team = team()
    starts, ends = sprints.sprint_dates(the_team, number)
    values = dict(team_id=the_team.id, number=number, status=status, starts_on=starts, ends_on=ends)
    return Sprint(**{**values, **changes})


# -- which sprint --------------------------------------------------------------------------------


def test_the_committed_sprint_is_the_one_whose_dates_hold_today_else_the_newest():
    closed, running, planned = sprint(1, "closed"), sprint(2, "active"), sprint(3, "planning")
    recent = [planned, running, closed]  # newest first, as the store gives them
    assert sprints.committed_sprint(recent, date(2026, 3, 18)) is running
    assert sprints.committed_sprint(recent, date(2026, 3, 5)) is closed  # sprint 1's dates
    # the sprint being planned is never the committed one, even on its own dates
    assert sprints.committed_sprint(recent, date(2026, 4, 1)) is running
    assert sprints.committed_sprint([closed], date(2026, 5, 1)) is closed
    assert sprints.committed_sprint([planned], date(2026, 4, 1)) is None
    assert sprints.committed_sprint([], date(2026, 4, 1)) is None


def test_a_sprint_committed_ahead_of_its_start_takes_over_on_its_first_day():
    """Sprint 1 closed early and sprint 2 committed for its Monday: refinements held until then
    count in sprint 1, whose dates hold them; from that Monday on, sprint 2 is the team's."""
    closed, running = sprint(1, "closed"), sprint(2, "active")
    recent = [closed, running]  # in any order
    assert sprints.committed_sprint(recent, date(2026, 3, 12)) is closed
    assert sprints.committed_sprint(recent, date(2026, 3, 16)) is running


# -- days left -----------------------------------------------------------------------------------


def test_before_its_start_a_running_sprint_has_all_of_its_working_days_left():
    """Committed on Thursday for a sprint from Monday 16 to Friday 27 March: 10 days left, as
    the Home tab says, not the 12 working days from Thursday (the sprint card said so)."""
    the_team, committed = team(), sprint(2, "active")
    assert sprints.days_left(the_team, committed, date(2026, 3, 12)) == 10
    assert sprints.days_left(the_team, committed, date(2026, 3, 12)) == sprints.working_days(
        the_team, committed
    )


def test_days_left_count_today_and_end_at_zero_past_the_sprint():
    the_team, running = team(), sprint(2, "active")
    assert sprints.days_left(the_team, running, date(2026, 3, 16)) == 10  # its first day
    assert sprints.days_left(the_team, running, date(2026, 3, 25)) == 3  # Wed, Thu, Fri
    assert sprints.days_left(the_team, running, date(2026, 3, 28)) == 0  # Saturday after it
    assert sprints.days_left(the_team, running, date(2026, 4, 2)) == 0  # ended, not closed
    assert sprints.days_left(the_team, sprint(3, "planning"), date(2026, 3, 25)) is None
    assert sprints.days_left(the_team, sprint(1, "closed"), date(2026, 3, 5)) is None


# -- the next planning ---------------------------------------------------------------------------


def test_the_next_planning_opens_the_sprint_after_the_running_one():
    the_team = team()
    running = sprint(2, "active")  # 16 to 27 March
    assert sprints.next_planning_day(the_team, None, date(2026, 3, 18)) == date(2026, 3, 30)
    assert sprints.next_planning_day(the_team, None, date(2026, 3, 16)) == date(2026, 3, 16)
    # on the running sprint's first day, the next planning is the one after it
    assert sprints.next_planning_day(the_team, running, date(2026, 3, 16)) == date(2026, 3, 30)
    # committed ahead of its start: still the planning after it
    assert sprints.next_planning_day(the_team, running, date(2026, 3, 12)) == date(2026, 3, 30)
    # ended, not closed yet: the planning due next by the calendar
    assert sprints.next_planning_day(the_team, running, date(2026, 4, 1)) == date(2026, 4, 13)
    assert sprints.next_planning_day(team(sprint_start=None), running, date(2026, 3, 18)) is None


# -- a sprint planned late -----------------------------------------------------------------------


def test_a_sprint_planned_after_its_slot_began_runs_from_then_to_the_end_of_its_slot():
    the_team = team()  # two-week slots from Monday 2 March
    first = sprints.next_sprint(the_team, None, date(2026, 3, 5))  # planned on Thursday
    assert (first.number, first.starts_on, first.ends_on) == (
        1,
        date(2026, 3, 5),
        date(2026, 3, 15),
    )
    assert sprints.working_days(the_team, first) == 7 and sprints.days_gone(the_team, first) == 3
    planned_ahead = sprints.next_sprint(the_team, first, date(2026, 3, 13))
    assert (planned_ahead.starts_on, planned_ahead.ends_on) == (
        date(2026, 3, 16),
        date(2026, 3, 29),
    )
    assert sprints.days_gone(the_team, planned_ahead) == 0


def test_planning_catches_up_with_the_calendar_until_the_commitment():
    the_team = team()
    planned = sprint(2, "planning")  # made at sprint 1's close for 16 to 29 March
    sprints.catch_up(the_team, planned, date(2026, 3, 12))  # before its start: as it was
    assert (planned.starts_on, planned.ends_on) == (date(2026, 3, 16), date(2026, 3, 29))
    sprints.catch_up(the_team, planned, date(2026, 3, 18))
    assert (planned.starts_on, planned.ends_on) == (date(2026, 3, 18), date(2026, 3, 29))
    sprints.catch_up(the_team, planned, date(2026, 4, 2))  # its whole slot went by: the next
    assert (planned.starts_on, planned.ends_on) == (date(2026, 4, 2), date(2026, 4, 12))
    running = sprint(2, "active")
    sprints.catch_up(the_team, running, date(2026, 3, 18))
    assert running.starts_on == date(2026, 3, 16), "a committed sprint keeps its dates"


# -- ready items and the forecast ----------------------------------------------------------------


def test_ready_and_unready_items_keep_the_backlog_order():
    items = [item(1), item(2, estimate=None), item(3), item(4, acceptance_criteria=[])]
    ready, unready = sprints.ready_and_unready(items, DefinitionOfReady())
    assert [i.number for i in ready] == [1, 3]
    assert [i.number for i in unready] == [2, 4]
    lenient = DefinitionOfReady(rules=frozenset({"hypothesis"}))
    assert sprints.ready_and_unready(items, lenient) == (items, [])


def test_the_proposal_takes_ready_items_only_up_to_the_forecast():
    items = [item(1), item(2, estimate=None), item(3), item(4, estimate=5.0)]
    assert [i.number for i in sprints.proposal(items, DefinitionOfReady(), 6)] == [1, 3]
    assert [i.number for i in sprints.proposal(items, DefinitionOfReady(), None)] == [1, 3, 4]


@pytest.mark.parametrize(
    ("velocity", "first", "expected"),
    [(24.0, 30.0, 24.0), (None, 30.0, 30.0), (None, None, None), (0.0, 30.0, 0.0)],
)
def test_a_planning_reminder_forecasts_as_capacity_does_with_everyone_available(
    velocity, first, expected
):
    """Sprints 2 and 3 have 10 working days each: the velocity is not scaled."""
    planned = sprint(3, "planning", first_forecast=first)
    closed = [sprint(2, "closed", completed_points=velocity)] if velocity is not None else []
    day = planned.starts_on
    said = sprints.forecast_before_planning(
        team(), closed, planned, closed[0] if closed else None, day
    )
    assert said.full_forecast == expected
    everyone = Capacity(("A", "B"), 10, {}, velocity=velocity, first_forecast=first)
    assert everyone.forecast == expected
    unplanned = sprints.forecast_before_planning(team(), closed, None, sprint(2, "closed"), day)
    assert unplanned.full_forecast == velocity


def test_a_plan_whose_item_left_the_backlog_since_it_was_chosen_is_not_committed():
    """Done (here or in the tracker) or archived while the sprint was planned: committing would
    bring it back as sprint work, and count a done one's points twice."""
    planned = sprint(1, "planning", goal="Pay by card", committed_by=[])
    kept, done = item(1, status="open"), item(2, status="done")
    rows = [SprintItem(item=kept, position=0), SprintItem(item=done, position=1)]
    with pytest.raises(UserError, match=r"#2 is done since it was chosen .* `/planning drop 2`"):
        sprints.commit(
            team(), planned, rows, "UDEV", ["UDEV"], (), datetime(2026, 3, 2, 9, tzinfo=UTC)
        )
    assert planned.status == "planning" and kept.status == "open"


def test_an_addition_past_a_fractional_forecast_says_its_points_as_the_planning_showed_them():
    """A forecast of 10.6667 was shown as 10.7 in the planning: the overrun is said in tenths."""
    running = sprint(2, "active", capacity={"forecast": 32 / 3})
    kept = [SprintItem(item=item(1, status="open", estimate=7.0), position=0)]
    said = sprints.addition_risks(running, item(13, estimate=13.0), kept, DefinitionOfReady())
    assert said[-1] == "sprint 2 at 20 pts is 9.3 pts past its forecast of 10.7 pts", said
    at_forecast = [SprintItem(item=item(1, status="open", estimate=10.7), position=0)]
    level = sprints.addition_risks(
        running, item(13, estimate=0.0), at_forecast, DefinitionOfReady()
    )
    assert not [risk for risk in level if "past" in risk], "10.7 is the forecast, not past it"
