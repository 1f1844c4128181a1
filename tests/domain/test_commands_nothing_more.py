"""A verb that takes no more words refuses one, saying what it does instead: a word typed after
it is never silently dropped (`/sprint close 3` must not close the running sprint)."""

from __future__ import annotations

import pytest

from bot.domain.commands import (
    NOTHING_MORE,
    parse_backlog,
    parse_ready,
    parse_sprint,
    parse_timebox,
)
from bot.domain.errors import UsageError

PARSERS = {
    "/backlog": parse_backlog,
    "/ready": parse_ready,
    "/sprint": parse_sprint,
    "/timebox": parse_timebox,
}


@pytest.mark.parametrize(("command", "verb"), sorted(NOTHING_MORE))
def test_a_word_after_a_verb_that_takes_none_is_refused_with_what_it_does(command, verb):
    parse = PARSERS[command]
    assert parse(verb).verb == verb, "alone, the verb works"
    with pytest.raises(UsageError) as refused:
        parse(f"{verb} 3 now")
    assert f"`{verb}` takes nothing more (not `3 now`): {NOTHING_MORE[command, verb]}." in str(
        refused.value.message
    )
    assert refused.value.usage.startswith(command), "with the verb's usage"


@pytest.mark.parametrize("typed", ["connect foo", "connect jira extra", "connect <b>"])
def test_connect_names_the_trackers_rather_than_calling_itself_unknown(typed):
    with pytest.raises(UsageError) as refused:
        parse_timebox(typed)
    said = refused.value.message
    assert "is not a tracker: say `jira`, `github` or `linear`" in said, said
    assert "is not something I know" not in said


@pytest.mark.parametrize("typed", ["check 2", "check #2"])
def test_ready_check_of_a_number_looks_at_that_item(typed):
    """`/ready check 2` means `/ready 2`: the item, not the whole list with the 2 dropped."""
    assert parse_ready(typed) == parse_ready("2")


def test_ready_dor_edit_shows_the_card_whose_button_edits_it():
    assert parse_ready("dor edit").verb == "dor"
