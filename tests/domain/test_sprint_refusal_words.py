"""The pure wording of refusals about sprints: what to do instead when no sprint runs (none at
all, or one being planned), how an item comes into the sprint it is missing from, and that a
burndown's number is a sprint's."""

from __future__ import annotations

import pytest

from bot.domain import sprints
from bot.domain.commands import parse_sprint
from bot.domain.errors import UsageError, UserError
from tests.domain.test_sprints import sprint


def test_no_sprint_at_all_sends_an_addition_to_planning():
    said = sprints.not_running(None, "add", 9).message
    assert said.startswith("No sprint is running in this channel: `/planning start` plans one")
    assert "`/planning add 9` takes #9 into it while it is planned" in said
    assert sprints.not_running(None, "done", 9).message == sprints.NOT_RUNNING


@pytest.mark.parametrize(
    ("asked", "instead"),
    [
        ("add", "`/planning add 4` takes #4 into it"),
        ("remove", "`/planning drop 4` leaves #4 out of it"),
        ("done", "its items are marked done once it runs"),
        ("close", "it is closed once it has run"),
    ],
)
def test_a_sprint_being_planned_is_not_running_yet(asked, instead):
    said = sprints.not_running(sprint(2, "planning"), asked, 4).message
    assert said.startswith(f"Sprint 2 is being planned, not running yet: {instead}. "), said
    assert "`/planning commit`" in said and "`/planning start`" not in said


def test_an_item_missing_from_an_open_sprint_is_told_how_it_comes_in():
    def refusal(status: str, **kwargs: bool) -> str:
        with pytest.raises(UserError) as refused:
            sprints.find_item(sprint(1, status), [], 4, **kwargs)
        return refused.value.message

    running = "#4 is not in sprint 1: `/sprint add 4 <reason>` brings it in (a renegotiation)."
    assert refusal("active") == running
    assert refusal("planning") == "#4 is not in sprint 1: `/planning add 4` takes it in."
    assert refusal("closed") == refusal("active", how_in=False) == "#4 is not in sprint 1."


def test_a_burndown_is_given_a_sprint_number():
    assert parse_sprint("burndown #3 hours").number == 3
    with pytest.raises(UsageError) as refused:
        parse_sprint("burndown foo")
    assert refused.value.problem.startswith("`foo` is not a sprint number: `burndown 3` draws")
