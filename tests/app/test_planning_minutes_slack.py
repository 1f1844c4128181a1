"""A sprint planning's minutes: besides the sprint's goal and its count of items
and points, they name the items the planning took into the sprint, each with its estimate
(or none), so the team reads what was decided without opening the sprint; a planning ended
before its commitment says the same of the plan as it stood."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import cmd, commit_sprint, setup, thread
from tests.conftest import PO


def minutes(slack) -> str:
    [said] = [shown(m) for m in thread(slack) if "Minutes of the" in shown(m)]
    return said


async def test_the_minutes_name_the_committed_items_with_their_estimates(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    said = minutes(slack)
    assert "By the end we expect PDF invoices · 2 items, 8 points" in said, said
    assert "#1 Export invoices (5 pts)" in said, said
    assert "#3 Audit log (3 pts)" in said, said
    assert "Dark mode" not in said


async def test_a_planning_ended_uncommitted_names_the_plan_as_it_stood(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 2")
    await cmd(slack, "/planning", "add 4 we need the spike first", PO)
    await cmd(slack, "/planning", "end")
    said = minutes(slack)
    assert "(not committed)" in said, said
    assert "#2 Dark mode (8 pts)" in said, said
    assert "#4 Spike on search (no estimate)" in said, said
