"""A new sprint length or start laid over sprints committed already (`recalendar`): the
committed sprint keeps its dates, the next one starts after it on the new cadence, numbered on
from it; a start the team typed earlier is kept by a new length alone; the reply can say
where a typed start was moved to and which working days fall in no sprint."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.sprints import recalendar, sprint_dates
from storage.models import Sprint
from tests.domain.factories import team


def sprint(number: int, starts: date, ends: date, status: str = "active") -> Sprint:
    return Sprint(number=number, starts_on=starts, ends_on=ends, status=status)


MON_7_DEC, SUN_20_DEC = date(2026, 12, 7), date(2026, 12, 20)


def test_a_start_typed_inside_the_running_sprint_goes_on_after_it_and_says_so():
    crew = team(sprint_start=MON_7_DEC)
    running = sprint(1, MON_7_DEC, SUN_20_DEC)
    shown = recalendar(crew, running, None, date(2026, 12, 9), start=date(2026, 12, 10))
    assert shown is not None
    assert (shown.number, shown.starts) == (2, date(2026, 12, 24)), "Thursdays, after it"
    assert sprint_dates(crew, 2)[0] == date(2026, 12, 24) and crew.sprint_start_number == 2
    assert (shown.kept, shown.kept_ends) == (1, date(2026, 12, 18))
    assert shown.typed == date(2026, 12, 10), "the start typed was moved: said"
    assert shown.idle == (date(2026, 12, 21), date(2026, 12, 23)), "Mon to Wed in no sprint"


def test_a_new_length_alone_keeps_the_start_typed_after_a_sprint_closed_long_ago():
    """Sprint 0 closed on 1 Dec; the team typed Wed 10 Feb for sprint 1, then a new length:
    sprint 1 still starts on 10 Feb, not on a day of the cadence just after sprint 0."""
    wed_10_feb = date(2027, 2, 10)
    crew = team(sprint_start=wed_10_feb, sprint_weeks=1)
    closed = sprint(0, date(2026, 11, 18), date(2026, 12, 1), status="closed")
    shown = recalendar(crew, closed, None, date(2027, 1, 20), was_weeks=2)
    assert shown is not None and (shown.number, shown.starts) == (1, wed_10_feb)
    assert crew.sprint_start == wed_10_feb and shown.kept is None


def test_a_new_length_while_a_sprint_runs_starts_the_next_the_day_after_it_ends():
    crew = team(sprint_start=MON_7_DEC, sprint_weeks=1)
    shown = recalendar(crew, sprint(1, MON_7_DEC, SUN_20_DEC), None, MON_7_DEC, was_weeks=2)
    assert shown is not None
    assert (shown.number, shown.starts, shown.ends) == (2, date(2026, 12, 21), date(2026, 12, 25))
    assert shown.typed is None and shown.idle is None


def test_the_sprint_being_planned_takes_its_new_slot():
    crew = team(sprint_start=MON_7_DEC, sprint_weeks=3)
    planning = sprint(2, date(2026, 12, 21), date(2027, 1, 3), status="planning")
    recalendar(crew, sprint(1, MON_7_DEC, SUN_20_DEC), planning, MON_7_DEC, was_weeks=2)
    assert (planning.starts_on, planning.ends_on) == (
        date(2026, 12, 21),
        date(2026, 12, 21) + timedelta(weeks=3, days=-1),
    )
