"""Which sprint a refinement counts in (sprints.refinement_sprint): the committed sprint whose
dates hold the day it was held (else one still running past them), none between sprints; the
refinement's minutes, `/backlog health` and the App Home show that sprint's budget. The sprint
the team works in (sprints.committed_sprint) still falls back to the newest committed one."""

from __future__ import annotations

from datetime import date

from bot.domain import sprints
from tests.domain.test_sprints import sprint

# Two-week sprints from Monday 2 March 2026 (tests/domain/test_sprints.py): sprint 1 until
# Sunday 15 March, sprint 2 from 16 to 29 March, sprint 3 from 30 March to 12 April.


def test_between_sprints_a_refinement_counts_in_no_sprint_until_the_next_is_committed():
    """The bug: the last sprint's budget (0h in 0 sessions, well under) in the minutes of a
    session held after it ended."""
    closed, planned = sprint(1, "closed"), sprint(2, "planning")
    tuesday = date(2026, 3, 17)  # in sprint 2's dates, after sprint 1's
    assert sprints.refinement_sprint([closed], tuesday) is None
    assert sprints.refinement_sprint([planned, closed], tuesday) is None
    committed = sprint(2, "active")
    assert sprints.refinement_sprint([committed, closed], tuesday) is committed
    # the sprint the team works in is unchanged: its goal is still the one to measure
    assert sprints.committed_sprint([closed], tuesday) is closed


def test_a_refinement_counts_in_the_committed_sprint_whose_dates_hold_its_day():
    closed, running, planned = sprint(1, "closed"), sprint(2, "active"), sprint(3, "planning")
    recent = [planned, running, closed]
    assert sprints.refinement_sprint(recent, date(2026, 3, 18)) is running
    assert sprints.refinement_sprint(recent, date(2026, 3, 5)) is closed
    # a running sprint past its dates, the next being planned: the team is still in it
    assert sprints.refinement_sprint(recent, date(2026, 4, 1)) is running
    assert sprints.refinement_sprint([planned, closed], date(2026, 4, 1)) is None
    assert sprints.committed_sprint(recent, date(2026, 4, 1)) is running
    assert sprints.refinement_sprint([], date(2026, 4, 1)) is None


def test_a_sprint_committed_ahead_takes_the_refinements_from_its_first_day():
    closed, running = sprint(1, "closed"), sprint(2, "active")
    assert sprints.refinement_sprint([closed, running], date(2026, 3, 12)) is closed
    assert sprints.refinement_sprint([closed, running], date(2026, 3, 16)) is running
    assert sprints.holds(running, date(2026, 3, 29))
    assert not sprints.holds(running, date(2026, 3, 30))
