"""An item taken into the plan again leaves the plan as it is, and guidance says what to type
(a date's format with today as the example, a task's hours range) and names the channel once."""

from __future__ import annotations

from datetime import date

import pytest

from agendas import planning
from bot.domain import tasks
from bot.domain.calendar import parse_date
from bot.domain.errors import NotAllowed, UserError
from bot.domain.teams import Roles, SetupNeeded, role_verdict


def test_an_item_in_the_plan_already_leaves_the_plan_as_it_is():
    """Unless the add says more: it marks the item as serving the goal, or gives a reason."""
    plan = planning.Selection((1, 4), frozenset({1, 4}), {1: "", 4: "a spike"})
    assert planning.with_item(plan, 4, "") == plan
    retold = planning.with_item(plan, 4, "another reason")
    assert (retold.numbers, retold.overrides[4]) == ((1, 4), "another reason")
    unmarked = planning.Selection((1, 4), frozenset({1}), {1: "", 4: "a spike"})
    marked = planning.with_item(unmarked, 4, "")
    assert marked == plan, "it serves the goal now, its reason kept"
    assert planning.without_item(plan, 7) == plan, "an item not in the plan: nothing leaves"
    assert planning.with_item(plan, 7, "").numbers == (1, 4, 7)


def test_a_date_not_understood_is_answered_with_its_format_and_today_as_an_example():
    assert parse_date(" 2026-12-07 ") == date(2026, 12, 7)
    with pytest.raises(UserError) as refused:
        parse_date("2026-13-01", date(2026, 3, 12))
    assert str(refused.value) == (
        "`2026-13-01` is not a date: give it as YYYY-MM-DD, e.g. `2026-03-12` for today."
    )
    with pytest.raises(UserError, match=r"^`tomorrow` is not a date: give it as YYYY-MM-DD\.$"):
        parse_date("tomorrow")


def test_a_task_line_understood_with_hours_out_of_range_names_the_range():
    with pytest.raises(UserError) as refused:
        tasks.parse_task_line("Huge 500h")
    assert str(refused.value) == (
        "A task takes from more than 0 to 200 hours: “Huge 500h” is out of range."
    )
    with pytest.raises(UserError, match="A task takes from more than 0 to 200 hours"):
        tasks.parse_task_lines("Design it 2h\nNothing 0h")
    with pytest.raises(UserError, match=r"Hours left go from 0 \(done\) to 200: “Build"):
        tasks.parse_task_line("Build 8h, 300h left")
    assert tasks.parse_task_line("Design it") is None, "a line not understood is still None"
    with pytest.raises(UserError, match="Not understood: “Design it”"):
        tasks.parse_task_lines("Design it\nHuge 500h")


def test_a_refusal_for_an_action_naming_the_channel_names_it_once():
    named = Roles(po=("U0PAULA",))
    with pytest.raises(NotAllowed) as refused:
        role_verdict(named, "U0DIANA", ("po", "sm"), "connect this channel to Jira")
    assert (
        str(refused.value)
        == "Only the Product Owner or Scrum Master can connect this channel to Jira."
    )
    with pytest.raises(NotAllowed, match=r"can change team settings in this channel\.$"):
        role_verdict(named, "U0DIANA", ("po", "sm"), "change team settings")
    with pytest.raises(SetupNeeded, match=r"nobody can connect this channel to Jira\. Set"):
        role_verdict(Roles(), "U0DIANA", ("po", "sm"), "connect this channel to Jira")
