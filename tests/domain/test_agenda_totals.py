"""An agenda's totals, as a team reads and saves it (agendas.agenda):

- `timebox` is what a meeting started without a length runs on an agenda: its total and each
  section's whole minutes. The sprint planning's built-in agenda gives its sections shares of
  Scrum's timebox, 2 hours per sprint week (4 h for 2 weeks, 8 h for 4), so `/planning agenda`
  can say the total and each section's minutes for the team's sprint length, not only shares;
  the refinement's 5/20/25/10 minutes make its 60;
- an agenda whose `minutes:` disagrees with what its sections add up to was saved and each
  section stretched or squeezed at every start without a word: `require_fits`, where an
  agenda is saved (the YAML form, a shared file), refuses it saying the sum and what to type.
"""

from __future__ import annotations

import pytest

from agendas.agenda import AgendaError, builtin, parse, require_fits, scale, timebox

FIXED = "sections:\n  - {title: Look, minutes: 10}\n  - {title: Pick, minutes: 20}\n"


def refused(text: str, kind: str = "refinement", weeks: int = 2) -> str:
    with pytest.raises(AgendaError) as caught:
        require_fits(parse(text, kind), weeks)
    return caught.value.message


# -- the totals an agenda gives its meeting -----------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "total", "sections"),
    [
        (1, 120, (18, 36, 18, 36, 12)),
        (2, 240, (36, 72, 36, 72, 24)),
        (3, 360, (54, 108, 54, 108, 36)),
        (4, 480, (72, 144, 72, 144, 48)),
    ],
)
def test_the_built_in_planning_takes_two_hours_per_sprint_week_in_section_minutes(
    weeks, total, sections
):
    """15/30/15/30/10 % of the planning's timebox, in minutes for the team's sprint length."""
    planned = timebox(builtin("planning"), weeks)
    assert planned.minutes == total == planned.limit
    assert planned.sprint_weeks == weeks
    assert planned.sections == sections
    assert sum(planned.sections) == total


def test_the_built_in_refinement_and_review_are_their_sections_minutes_added_up():
    """5 + 20 + 25 + 10 is the refinement's 60, 45 + 15 the review's; neither has a limit."""
    refinement = timebox(builtin("refinement"), 2)
    assert (refinement.minutes, refinement.sections, refinement.limit) == (
        60,
        (5, 20, 25, 10),
        None,
    )
    review = timebox(builtin("review"), 2)
    assert (review.minutes, review.sections, review.limit) == (60, (45, 15), None)


@pytest.mark.parametrize("kind", ["refinement", "review"])
def test_every_built_in_agenda_with_a_length_says_what_its_sections_add_up_to(kind):
    agenda = builtin(kind)
    assert agenda.minutes == sum(s.minutes for s in agenda.sections)
    require_fits(agenda, 2)


def test_the_built_in_planning_shares_make_the_whole_timebox():
    assert sum(s.minutes for s in builtin("planning").sections) == pytest.approx(1)
    assert builtin("planning").minutes is None, "it lasts the team's timebox"


def test_a_planning_of_its_own_length_is_that_long_within_the_timebox():
    agenda = parse(
        "name: Quick\nkind: planning\nminutes: 90\n" + FIXED.replace("20", "80"), "planning"
    )
    planned = timebox(agenda, 2)
    assert (planned.minutes, planned.sections, planned.limit) == (90, (10, 80), 240)


def test_a_share_only_refinement_is_shown_in_the_minutes_it_runs():
    text = "name: S\nsections:\n  - {title: A, share: 0.25}\n  - {title: B, share: 0.75}\n"
    planned = timebox(parse(text, "refinement"), 2)
    assert (planned.minutes, planned.sections) == (60, (15, 45))


def test_the_sections_shown_are_those_a_start_without_a_length_runs():
    agenda = builtin("planning")
    assert list(timebox(agenda, 2).sections) == [s.minutes for s in scale(agenda, 240)]


def test_an_agenda_too_short_to_split_shows_no_section_minutes_rather_than_failing():
    """Twelve sections in five minutes cannot start (`scale` refuses it); its view still shows."""
    sections = "".join(f"  - {{title: S{n}, share: 0.05}}\n" for n in range(12))
    planned = timebox(parse(f"name: Tiny\nminutes: 5\nsections:\n{sections}", "refinement"), 2)
    assert (planned.minutes, planned.sections) == (5, ())


# -- a length that disagrees with its sections -------------------------------------------------


def test_a_length_other_than_the_sections_sum_is_refused_saying_the_sum_and_what_to_type():
    message = refused("name: Q\nminutes: 60\n" + FIXED)
    assert message == (
        "the sections add up to 30 minutes, but `minutes:` says 60: type `minutes: 30` "
        "(or leave it out), or make the sections add up to 60."
    )
    assert len(message) <= 150, "it fits under the agenda form's field"


@pytest.mark.parametrize("kind", ["refinement", "review", "planning"])
def test_every_kind_is_held_to_its_sections_sum(kind):
    message = refused(f"name: Q\nkind: {kind}\nminutes: 20\n" + FIXED, kind)
    assert message.startswith("the sections add up to 30 minutes, but `minutes:` says 20"), message


def test_a_sum_no_meeting_may_have_is_not_offered_as_the_length():
    """300 + 300 minutes is past the 8 hours a meeting lasts: only the sections can change."""
    text = "name: Q\nminutes: 60\nsections:\n  - {title: A, minutes: 300}\n"
    message = refused(text + "  - {title: B, minutes: 300}\n")
    assert message == (
        "the sections add up to 600 minutes, but `minutes:` says 60: make the sections add up "
        "to 60."
    )


def test_a_fraction_of_a_minute_apart_is_rounding_not_a_disagreement():
    """The meeting runs in whole minutes: 10.5 + 20 under `minutes: 30` is saved."""
    require_fits(parse("name: Q\nminutes: 30\n" + FIXED.replace("10}", "10.5}"), "refinement"), 2)
    message = refused("name: Q\nminutes: 30\n" + FIXED.replace("10}", "11.5}"))
    assert message.startswith(
        "the sections add up to 31.5 minutes, but `minutes:` says 30: type `minutes: 32`"
    ), message


def test_shares_fill_a_length_given_so_they_never_disagree_with_it():
    shares = (
        "name: S\nminutes: 50\nsections:\n  - {title: A, share: 0.3}\n  - {title: B, share: 0.4}\n"
    )
    require_fits(parse(shares, "refinement"), 2)
    mixed = (
        "name: M\nminutes: 50\nsections:\n  - {title: A, minutes: 10}\n  - {title: B, share: 1}\n"
    )
    require_fits(parse(mixed, "refinement"), 2)


def test_the_sum_is_checked_before_the_planning_timebox():
    """Type `minutes:` right first; then the timebox says whether it fits."""
    text = "name: Q\nkind: planning\nminutes: 200\n" + FIXED.replace("20}", "290}")
    assert refused(text, "planning").startswith("the sections add up to 300 minutes")
    fixed = text.replace("minutes: 200\n", "minutes: 300\n")
    assert refused(fixed, "planning").startswith("this sprint planning lasts 300 minutes")
