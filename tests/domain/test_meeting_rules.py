"""The meeting rules as plain functions: a plan's selection changing while planning, an agenda
edited in its form, and what a refinement section opens."""

from __future__ import annotations

import pytest

from agendas import planning as plan
from agendas import refinement
from agendas.agenda import builtin, edited
from bot.domain.errors import UserError
from storage.models import BacklogItem, Meeting, SprintItem


def chosen(*rows: tuple[int, bool, str | None]) -> list[SprintItem]:
    return [
        SprintItem(item=BacklogItem(number=n), supports_goal=goal, override_reason=reason)
        for n, goal, reason in rows
    ]


def test_taking_an_item_in_and_leaving_one_out_of_the_plan():
    current = plan.current(chosen((1, True, None), (4, False, "a spike")))
    added = plan.with_item(current, 3, "the customer asked")
    assert added.numbers == (1, 4, 3)
    assert added.supporting == {1, 3}
    assert added.overrides == {1: "", 4: "a spike", 3: "the customer asked"}
    dropped = plan.without_item(added, 4)
    assert dropped.numbers == (1, 3) and 4 not in dropped.overrides


def test_the_selection_form_adds_the_unready_item_taken_with_a_reason():
    selection = plan.from_form([1, 2], {1}, 4, "a one-day spike")
    assert selection.numbers == (1, 2, 4) and selection.overrides == {4: "a one-day spike"}
    assert plan.from_form([1], set(), None, "").overrides == {}


def test_the_selection_form_starts_from_the_plan_or_else_the_proposal():
    assert plan.proposed_selection([], [1, 2]) == plan.Selection((1, 2), frozenset({1, 2}))
    started = plan.proposed_selection(chosen((2, False, None)), [1, 2])
    assert started.numbers == (2,) and started.supporting == {2}, "all serve the goal by default"


def test_an_agenda_edited_in_its_form_is_checked_section_by_section():
    agenda = builtin("refinement")
    changed = edited(agenda, ["10", "20", "20", "10"], ["Say hello", "", "", ""])
    assert changed.minutes == 60 and changed.sections[0].purpose == "Say hello"
    with pytest.raises(UserError, match="Section 2: give a whole number"):
        edited(agenda, ["10", "ten", "20", "10"], ["", "", "", ""])
    with pytest.raises(UserError, match="add up to 1000 minutes"):
        edited(agenda, ["970", "10", "10", "10"], ["", "", "", ""])


def test_triage_walks_the_new_items_and_counts_those_done():
    meeting = Meeting(data={"triaged": [{"number": 1, "placement": "top", "by": "U1"}]})
    items = [BacklogItem(number=n, status=s) for n, s in ((2, "new"), (3, "open"), (5, "new"))]
    card = refinement.triage_card(meeting, refinement.new_items(items))
    assert (card.item.number, card.position, card.total) == (2, 2, 3)
    assert refinement.triage_card(meeting, []).item is None
    refinement.record_triage(meeting, 2, "keep", "U2")
    assert [t["number"] for t in meeting.data["triaged"]] == [1, 2]
    with pytest.raises(UserError):
        refinement.set_next_session(meeting, "next tuesday")
