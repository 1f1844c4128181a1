"""A team's checklist: each question once (a repeat folds into the first), each short enough
to answer at a glance."""

from __future__ import annotations

import pytest

from bot.domain.errors import UserError
from bot.domain.readiness import DEFAULT_DOR, QUESTION_MAX, Question


def test_a_question_asked_again_in_other_case_or_spacing_folds_into_the_first():
    dor = DEFAULT_DOR.changed(questions=["UX reviewed *design*?", "", "ux  reviewed *Design*?"])
    assert [q.text for q in dor.questions] == ["UX reviewed *design*?"]


def test_a_question_of_only_symbols_counts_as_itself_not_as_every_other_one():
    """Folded by its words, every question without any was one: "<<>>" vanished."""
    dor = DEFAULT_DOR.changed(questions=["<&>", "<<>>", " <&> "])
    assert [q.text for q in dor.questions] == ["<&>", "<<>>"]


def test_a_question_over_150_characters_is_refused_and_150_are_kept():
    assert QUESTION_MAX == 150
    longest = "Q " + "x" * 148
    assert DEFAULT_DOR.changed(questions=[longest]).questions == (Question.new(longest),)
    with pytest.raises(UserError) as refused:
        DEFAULT_DOR.changed(questions=["UX reviewed?", "Q " + "x" * 398])
    assert refused.value.message == (
        "Line 2 is 400 characters long: keep each question to 150 at most, "
        "a yes/no question a glance answers."
    )
