"""Agendas as data: the built-ins, scaling to the time given, and broken files refused by line."""

from __future__ import annotations

import pytest

from agendas.agenda import AgendaError, builtin, default_minutes, parse, scale
from bot.domain.errors import UserError


def test_the_builtin_refinement_is_the_60_minute_session():
    agenda = builtin("refinement")
    assert agenda.minutes == 60
    assert [(s.title, s.minutes) for s in agenda.sections] == [
        ("Kick-off", 5),
        ("Triage new items", 20),
        ("Deep dive", 25),
        ("Wrap-up", 10),
    ]
    assert agenda.sections[1].actions == ("triage",)


def test_sprint_planning_takes_two_hours_per_sprint_week_up_to_eight():
    agenda = builtin("planning")
    assert [s.title.split(" ")[0] for s in agenda.sections] == [
        "Why",
        "What",
        "Capacity",
        "How",
        "Commitment",
    ]
    assert default_minutes(agenda, 2) == 240 and default_minutes(agenda, 4) == 480
    assert [s.minutes for s in scale(agenda, 240)] == [36, 72, 36, 72, 24]


@pytest.mark.parametrize("total", [45, 61, 90, 7])
def test_scaling_keeps_proportions_in_whole_minutes_that_add_up(total):
    scaled = scale(builtin("refinement"), total)
    assert sum(s.minutes for s in scaled) == total
    assert all(s.minutes >= 1 for s in scaled)
    if total == 45:  # 3.75, 15, 18.75, 7.5: the largest remainders get the spare minutes
        assert [s.minutes for s in scaled] == [4, 15, 19, 7]


def test_scaling_refuses_lengths_that_make_no_sense():
    with pytest.raises(UserError, match="between 5 minutes and 8 hours"):
        scale(builtin("refinement"), 600)
    eight = builtin("refinement").sections * 2
    with pytest.raises(UserError, match="too short for 8 sections"):
        scale(builtin("refinement").__class__("x", "refinement", 60, eight), 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: X\nsections: [", "line 2: this is not valid YAML"),
        ("- a\n- b\n", "must be a mapping"),
        ("sections: []\n", "`name` must be a non-empty text"),
        ("name: X\nsections: []\n", "line 2: `sections` must be a list"),
        (
            "name: X\nminutes: 2\nsections:\n  - title: A\n    minutes: 1\n",
            "line 2: `minutes` must be a whole number",
        ),
        (
            "name: X\nsections:\n  - title: A\n    minutes: -3\n",
            "line 4: sections[1].minutes must be a positive number",
        ),
        (
            "name: X\nsections:\n  - title: A\n    minutes: 5\n  - title: B\n    share: 2\n",
            "line 6: sections[2].share must be a fraction",
        ),
        (
            "name: X\nsections:\n  - title: A\n    minutes: 5\n    actions: [dance]\n",
            "line 5: sections[1].actions has `dance`",
        ),
        ("name: X\nsections:\n  - minutes: 5\n", "line 3: sections[1].title must be a text"),
        (
            "name: X\nkind: planning\nsections:\n  - title: A\n    minutes: 5\n",
            "line 2: `kind` must be `refinement`",
        ),
    ],
)
def test_broken_agendas_are_refused_naming_line_and_field(text, message):
    with pytest.raises(AgendaError) as refused:
        parse(text, "refinement")
    assert message in refused.value.message


def test_an_agenda_round_trips_through_yaml():
    agenda = builtin("refinement")
    assert parse(agenda.to_yaml(), "refinement") == agenda
