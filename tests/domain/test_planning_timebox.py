"""Sprint planning's timebox as a rule: 2 hours per sprint week, a team's own planning agenda
held to it when no length is given, and the length asked for refused past it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agendas.agenda import builtin, default_minutes, extension_left, length
from bot.domain.ceremonies import planning_limit
from bot.domain.errors import UserError


def test_the_timebox_is_two_hours_per_sprint_week():
    assert [planning_limit(weeks) for weeks in (1, 2, 3, 4)] == [120, 240, 360, 480]


def test_a_teams_own_planning_agenda_is_held_to_the_timebox_when_no_length_is_given():
    five_hours = replace(builtin("planning"), minutes=300)
    assert default_minutes(five_hours, 2) == 240
    assert default_minutes(five_hours, 3) == 300
    assert length(replace(builtin("refinement"), minutes=300), None, 1) == 300  # not a planning


def test_a_length_past_the_timebox_is_refused_for_a_planning_alone():
    assert length(builtin("planning"), 240, 2) == 240
    with pytest.raises(UserError, match=r"type `/planning start 2h` or less"):
        length(builtin("planning"), 121, 1)
    assert length(builtin("refinement"), 300, 1) == 300


def test_what_is_left_to_extend_a_planning_by():
    assert extension_left("planning", 2, 230) == 10
    assert extension_left("planning", 2, 250) == 0
    assert extension_left("planning", None, 250) is None  # started before its length was kept
    assert extension_left("refinement", 2, 250) is None
