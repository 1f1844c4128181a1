"""An agenda's shares of the meeting add up to the whole meeting (agendas.agenda).

An agenda without `minutes:` gives each section a share of the meeting (the built-in sprint
planning's 15/30/15/30/10 % of its timebox); `scale` spreads the meeting over the shares'
sum. Shares adding up to 105% (20/30/15/30/10, typed in the lengths form or shared as YAML)
were saved without a word, the agenda then saying 20% while the section ran 19% (46 of 240
minutes, not 48). Now, where an agenda is saved, they are refused with their sum and what to
type, as `_require_sum` refuses a `minutes:` its sections do not add up to; shares a rounding
away from the whole (99.5 to 100.5%: three thirds written 0.333) are saved, and run as said
to the minute.
"""

from __future__ import annotations

import pytest

from agendas.agenda import AgendaError, builtin, edited, parse, require_fits, scale, timebox
from bot.domain.errors import UserError


def shares(*values: float, kind: str = "planning", minutes: int | None = None) -> str:
    """A YAML agenda of sections with these shares, and `minutes:` when given."""
    head = f"name: Shares\nkind: {kind}\n" + (f"minutes: {minutes}\n" if minutes else "")
    body = "".join(f"  - {{title: S{n}, share: {v}}}\n" for n, v in enumerate(values, 1))
    return head + "sections:\n" + body


def refused(text: str, kind: str = "planning") -> str:
    with pytest.raises(AgendaError) as caught:
        require_fits(parse(text, kind), 2)
    return caught.value.message


def form_refused(amounts: list[str]) -> str:
    """What the lengths form of the built-in sprint planning says to `amounts` (in %)."""
    with pytest.raises(UserError) as caught:
        require_fits(edited(builtin("planning"), amounts, [""] * len(amounts)), 2)
    return caught.value.message


# -- a shared file or the YAML form ------------------------------------------------------------


def test_shares_adding_up_to_more_than_the_meeting_are_refused_saying_the_sum_and_what_to_type():
    """20/30/15/30/10 is 105%: the largest share, 30% (the first of two), made 25% fits."""
    message = refused(shares(0.2, 0.3, 0.15, 0.3, 0.1))
    assert message == (
        "the shares add up to 1.05 (105% of the meeting), not 1: type `share: 0.25` in "
        "sections[2], or make the shares add up to 1."
    )
    assert len(message) <= 150, "it fits under the agenda form's field"


def test_shares_adding_up_to_less_than_the_meeting_are_refused_too():
    """15/30/15/30/5 is 95%: each section would run more than it says (15% as 16%)."""
    message = refused(shares(0.15, 0.3, 0.15, 0.3, 0.05))
    assert message == (
        "the shares add up to 0.95 (95% of the meeting), not 1: type `share: 0.35` in "
        "sections[2], or make the shares add up to 1."
    )


def test_a_single_share_short_of_the_whole_meeting_is_refused():
    """One section of half the meeting ran the whole of it."""
    assert refused(shares(0.5, kind="refinement"), "refinement").startswith(
        "the shares add up to 0.5 (50% of the meeting), not 1: type `share: 1` in sections[1]"
    )


def test_no_single_share_is_offered_when_none_can_make_the_whole():
    """Twelve tenths: taking the 20% too many off one section would leave it nothing."""
    message = refused(shares(*[0.1] * 12, kind="refinement"), "refinement")
    assert message == (
        "the shares add up to 1.2 (120% of the meeting), not 1: make them add up to 1."
    )


@pytest.mark.parametrize(
    "values",
    [
        (0.333, 0.333, 0.333),  # 99.9%
        (0.334, 0.333, 0.333),
        (0.167, 0.167, 0.167, 0.167, 0.167, 0.167),  # 100.2%
        (0.995,),
        (0.505, 0.5),
        (0.15, 0.3, 0.15, 0.3, 0.1),  # the built-in planning's, 1.0000000000000002 in floats
    ],
)
def test_shares_a_rounding_away_from_the_whole_meeting_are_saved(values):
    """Thirds written to three decimals: no section runs a minute other than it says."""
    agenda = parse(shares(*values, kind="refinement"), "refinement")
    require_fits(agenda, 2)
    for section, ran in zip(agenda.sections, scale(agenda, 240), strict=True):
        assert abs(ran.minutes - 240 * section.minutes) <= 1.5


@pytest.mark.parametrize("values", [(0.33, 0.33, 0.33), (0.5, 0.506), (0.2, 0.2, 0.2, 0.2, 0.19)])
def test_shares_a_half_percent_or_more_away_are_refused(values):
    assert refused(shares(*values, kind="refinement"), "refinement").startswith("the shares add up")


def test_shares_of_a_length_given_are_not_held_to_the_whole():
    """With `minutes:`, shares split the minutes left (beside fixed ones) and are saved as the
    minutes they make: the agenda shows what runs, as `_require_sum` keeps it."""
    agenda = parse(shares(0.2, 0.3, 0.15, 0.3, 0.1, minutes=210), "planning")
    require_fits(agenda, 2)
    assert agenda.minutes == 210 and agenda.planned == pytest.approx(210)


def test_the_built_in_planning_still_takes_its_whole_timebox():
    require_fits(builtin("planning"), 2)
    assert timebox(builtin("planning"), 2).sections == (36, 72, 36, 72, 24)


# -- the lengths form ------------------------------------------------------------------------


def test_the_lengths_form_refuses_percentages_adding_up_to_105_saying_what_to_type():
    message = form_refused(["20", "30", "15", "30", "10"])
    assert message == (
        "The sections add up to 105% of the meeting, not 100%: type 25 for section 2, or make "
        "them add up to 100."
    )
    assert len(message) <= 150


def test_the_lengths_form_refuses_percentages_short_of_the_whole_meeting():
    message = form_refused(["15", "30", "15", "30", "5"])
    assert message == (
        "The sections add up to 95% of the meeting, not 100%: type 35 for section 2, or make "
        "them add up to 100."
    )


def test_the_lengths_form_offers_no_single_section_when_none_can_make_the_whole():
    message = form_refused(["100", "100", "100", "100", "100"])
    assert message == (
        "The sections add up to 500% of the meeting, not 100%: make them add up to 100."
    )


def test_percentages_adding_up_to_100_run_as_typed_to_the_minute():
    """20/30/15/25/10 of a 2-week sprint's 4 hours: 48/72/36/60/24 minutes."""
    agenda = edited(builtin("planning"), ["20", "30", "15", "25", "10"], [""] * 5)
    require_fits(agenda, 2)
    assert agenda.minutes is None
    assert [s.minutes for s in agenda.sections] == [0.2, 0.3, 0.15, 0.25, 0.1]
    assert timebox(agenda, 2).sections == (48, 72, 36, 60, 24)


def test_an_agenda_saved_before_the_rule_is_told_at_its_next_edit():
    """Shares of 105% saved earlier open in the form as they are; saving it as it is, a
    purpose reworded, says what to type rather than keep running 20% as 19%."""
    before = parse(shares(0.2, 0.3, 0.15, 0.3, 0.1), "planning")
    amounts = [str(round(s.minutes * 100)) for s in before.sections]
    with pytest.raises(UserError, match="add up to 105% of the meeting"):
        require_fits(edited(before, amounts, ["Reworded", "", "", "", ""]), 2)
