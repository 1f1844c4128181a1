"""What `agendas.agenda.parse` checks in a team's agenda file, and the length an agenda gives
its meeting (QA 9, files a team shares):

- a key given twice in one mapping, at any level, is refused with the second one's line: YAML
  keeps the last value without a word, and `sections` twice left the sharer unanswered (the
  check zipped the first list's lines with the last list's sections and raised ValueError);
- anything else a check trips on is refused as a file that could not be read, and logged
  with its traceback, never left to escape as a crash;
- a misspelled section field (`purpse`) is named with the field meant, as a misspelled
  top-level key is, instead of being dropped;
- sections that all have fixed minutes, and no `minutes:`, make a meeting of their sum (it
  was the sprint planning's timebox, 2 h per sprint week, for every kind); otherwise a
  refinement or a review lasts as its built-in agenda does, a planning its timebox;
- a sprint planning's agenda longer than the team's planning timebox is refused where it is
  saved (`require_fits`), naming both lengths: it was squeezed at every start without a word.
"""

from __future__ import annotations

import logging

import pytest

from agendas import agenda as agendas
from agendas.agenda import (
    SECTION_KEYS,
    AgendaError,
    builtin,
    default_minutes,
    parse,
    require_fits,
    scale,
)


def refused(text: str, kind: str = "refinement") -> str:
    with pytest.raises(AgendaError) as caught:
        parse(text, kind)
    return caught.value.message


# -- keys given twice ------------------------------------------------------------------------


def test_sections_given_twice_is_refused_at_the_second_ones_line():
    text = (
        "name: Twice\nsections:\n  - title: A\n    minutes: 10\n"
        "sections:\n  - title: B\n    minutes: 5\n  - title: C\n    minutes: 5\n"
    )
    assert refused(text) == "line 5: `sections` is given twice."


def test_a_field_given_twice_inside_a_section_is_refused_at_its_line():
    text = "name: Q\nsections:\n  - title: A\n    minutes: 10\n    minutes: 20\n"
    assert refused(text) == "line 5: `minutes` is given twice."


def test_a_key_given_twice_deeper_down_is_refused_too():
    text = "name: Q\nextra:\n  notes:\n    a: 1\n    a: 2\nsections:\n  - {title: A, minutes: 5}\n"
    assert refused(text) == "line 5: `a` is given twice."


def test_the_same_field_in_two_sections_is_no_repeat():
    text = "name: Q\nsections:\n  - {title: A, minutes: 5}\n  - {title: B, minutes: 10}\n"
    assert [s.title for s in parse(text, "refinement").sections] == ["A", "B"]


def test_a_repeated_key_is_named_on_one_line_and_cut_short():
    key = "x" * 60 + "\\n`y`"  # a line break and code quotes, as YAML escapes write them
    text = f'name: Q\n"{key}": 1\n"{key}": 2\nsections: [{{title: A, minutes: 5}}]\n'
    assert refused(text) == "line 3: `" + "x" * 40 + "…` is given twice."
    short = 'name: Q\n"a\\n`b`": 1\n"a\\n`b`": 2\nsections: [{title: A, minutes: 5}]\n'
    assert refused(short) == "line 3: `a 'b'` is given twice."


def test_a_number_and_the_same_digits_quoted_are_two_keys():
    text = "name: Q\nextra: {1: a, '1': b}\nsections: [{title: A, minutes: 5}]\n"
    assert parse(text, "refinement").name == "Q"


def test_aliases_are_walked_once_not_once_per_reference():
    """Nine levels of ten references each: walked node by node, not 10^9 times."""
    lines = ["name: Q", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    lines.append("sections: [{title: A, minutes: 5}]")
    assert parse("\n".join(lines) + "\n", "refinement").name == "Q"


# -- nothing unexpected escapes ----------------------------------------------------------------


def test_an_unexpected_failure_of_a_check_is_refused_and_logged_with_its_traceback(
    monkeypatch, caplog
):
    def broken(*args: object) -> None:
        raise KeyError("a bug in a check")

    monkeypatch.setattr(agendas, "_resolve", broken)
    with caplog.at_level(logging.ERROR, logger="agendas.agenda"):
        message = refused("name: Q\nsections: [{title: A, minutes: 5}]\n")
    assert message.startswith("the file could not be read as an agenda."), message
    [record] = [r for r in caplog.records if r.name == "agendas.agenda"]
    assert record.exc_info and record.exc_info[0] is KeyError


def test_a_mistake_in_the_file_is_not_logged_as_a_failure(caplog):
    with caplog.at_level(logging.ERROR, logger="agendas.agenda"):
        refused("name: Q\nsections: [{title: A, minutes: 5}, {title: B, minutes: 5}]\nkind: x\n")
    assert not [r for r in caplog.records if r.name == "agendas.agenda"]


# -- misspelled section fields -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("purpse", "purpose"), ("titel", "title"), ("minute", "minutes"), ("action", "actions")],
)
def test_a_misspelled_section_field_is_named_with_the_field_meant(typo, meant):
    text = f"name: Q\nsections:\n  - title: A\n    minutes: 10\n    {typo}: [goal]\n"
    if typo == "titel":
        text = "name: Q\nsections:\n  - minutes: 10\n    titel: A\n"
    line = 4 if typo == "titel" else 5
    assert refused(text) == f"line {line}: `{typo}` is no field of sections[1]: write `{meant}`."


def test_a_section_field_far_from_any_is_left_alone_as_before():
    text = "name: Q\nsections:\n  - title: A\n    minutes: 10\n    notes: later\n"
    assert parse(text, "refinement").sections[0].title == "A"


def test_the_section_fields_checked_are_those_a_section_reads():
    data = builtin("refinement").to_data()["sections"][0]
    assert set(data) | {"share"} == SECTION_KEYS


# -- the length an agenda gives its meeting ----------------------------------------------------

FIXED = "name: Short\nsections:\n  - {title: Look, minutes: 10}\n  - {title: Pick, minutes: 20}\n"
SHARES = "name: Split\nsections:\n  - {title: Look, share: 0.25}\n  - {title: Pick, share: 0.75}\n"


@pytest.mark.parametrize("kind", ["refinement", "review", "planning"])
def test_sections_of_fixed_minutes_make_a_meeting_of_their_sum(kind):
    agenda = parse(FIXED, kind)
    assert agenda.minutes == 30
    assert default_minutes(agenda, 2) == 30
    assert [s.minutes for s in scale(agenda, default_minutes(agenda, 2))] == [10, 20]


def test_fixed_minutes_adding_up_to_a_fraction_make_whole_minutes():
    agenda = parse("name: Q\nsections:\n  - {title: A, minutes: 7.5}\n", "refinement")
    assert agenda.minutes == 8


@pytest.mark.parametrize(("minutes", "total"), [(2, "4"), (300, "600"), (1.25, "2.5")])
def test_fixed_minutes_adding_up_to_no_meeting_length_are_refused(minutes, total):
    text = f"name: Q\nsections:\n  - {{title: A, minutes: {minutes}}}\n"
    text += f"  - {{title: B, minutes: {minutes}}}\n"
    assert refused(text) == f"the sections add up to {total} minutes: keep it from 5 to 480."


def test_a_length_given_still_wins_over_the_sections_sum():
    agenda = parse("name: Q\nminutes: 60\n" + FIXED.split("\n", 1)[1], "refinement")
    assert default_minutes(agenda, 2) == 60


def test_shares_without_a_length_last_as_the_kinds_built_in_agenda():
    assert default_minutes(parse(SHARES, "refinement"), 2) == builtin("refinement").minutes == 60
    assert default_minutes(parse(SHARES, "review"), 2) == builtin("review").minutes == 60
    assert default_minutes(parse(SHARES, "planning"), 2) == 240, "the planning timebox"
    assert default_minutes(parse(SHARES, "planning"), 3) == 360


def test_an_agenda_saved_before_without_a_length_is_not_stretched_to_the_planning_timebox():
    """An agenda of fixed minutes saved before this change kept no `minutes`: it lasts as its
    kind's built-in agenda does, no longer the sprint planning's 4 hours."""
    saved = {**parse(FIXED, "refinement").to_data(), "minutes": None}
    assert default_minutes(agendas.Agenda.from_data(saved), 2) == 60


# -- a sprint planning's agenda and its timebox ------------------------------------------------

LONG = "name: Long\nkind: planning\nsections:\n  - {title: Why, minutes: 100}\n"
LONG += "  - {title: What, minutes: 200}\n"


def test_a_planning_agenda_longer_than_its_timebox_is_refused_naming_both():
    with pytest.raises(AgendaError) as caught:
        require_fits(parse(LONG, "planning"), 2)
    assert caught.value.message == (
        "this sprint planning lasts 300 minutes, and a 2-week sprint's planning lasts at most "
        "240 minutes (2 h per sprint week): shorten it."
    )
    assert len(caught.value.message) <= 150, "it fits under the agenda form's field"


def test_a_planning_agenda_with_a_length_past_its_timebox_is_refused_too():
    agenda = parse(SHARES.replace("name: Split\n", "name: S\nminutes: 150\n"), "planning")
    with pytest.raises(AgendaError, match=r"lasts 150 minutes.*at most 120 minutes"):
        require_fits(agenda, 1)


def test_a_long_sprints_planning_takes_any_agenda_a_meeting_may_have():
    """From 4 sprint weeks the timebox is 8 hours, the longest any agenda lasts."""
    require_fits(parse(LONG.replace("100", "280"), "planning"), 4)  # 480 of 480
    require_fits(parse(LONG.replace("100", "280"), "planning"), 6)


def test_what_fits_the_timebox_or_is_no_planning_is_saved():
    require_fits(parse(LONG, "planning"), 3)  # 300 of 360
    require_fits(parse(LONG.replace("200", "140"), "planning"), 2)  # 240 of 240
    require_fits(parse(SHARES, "planning"), 1)  # shares: the timebox itself
    require_fits(parse(LONG.replace("kind: planning\n", ""), "refinement"), 1)
    require_fits(builtin("planning"), 1)
