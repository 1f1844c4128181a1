"""The meeting rules the use cases ask, as plain functions on plain rows (no database, no
Slack): what a fired timer does in a running meeting and that a late extend or button changes
nothing (agendas.engine); how triage plans, opens and walks the new items of a refinement
(agendas.refinement); a plan's selection changing while planning (agendas.planning); and an
agenda edited in its form, checked section by section."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agendas import engine, planning, refinement
from agendas.agenda import builtin, edited
from bot.domain.backlog import Move
from bot.domain.errors import UserError
from storage.models import BacklogItem, ItemEvent, Meeting, SprintItem, Team

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

# -- a running meeting's timers ------------------------------------------------------------------


def running(left: timedelta, *, auto: bool = False, section: int = 1) -> Meeting:
    return Meeting(
        status="running",
        section=section,
        section_ends_at=NOW + left,
        paused_at=None,
        auto_advance=auto,
        data={},
    )


@pytest.mark.parametrize(
    ("event", "left", "auto", "verdict"),
    [
        ("warn", timedelta(minutes=4, seconds=20), False, engine.Verdict("announce", 4)),
        ("warn", timedelta(minutes=4, seconds=40), True, engine.Verdict("announce", 5)),
        ("warn", timedelta(seconds=10), False, engine.Verdict("announce", 1)),
        ("warn", timedelta(0), False, engine.Verdict("skip")),
        ("warn", -timedelta(minutes=2), True, engine.Verdict("skip")),
        ("up", timedelta(0), True, engine.Verdict("advance")),
        ("up", -timedelta(minutes=3), False, engine.Verdict("announce", 1)),
    ],
)
def test_a_fired_timer_is_skipped_moves_on_or_announces_the_minutes_left(
    event, left, auto, verdict
):
    meeting = running(left, auto=auto)
    assert engine.timer_verdict(meeting, engine.Timer(event, 1), NOW) == verdict


def test_a_paused_meeting_counts_the_time_left_from_its_pause():
    meeting = running(timedelta(minutes=1), auto=False)
    meeting.status, meeting.paused_at = "paused", NOW - timedelta(minutes=6)
    verdict = engine.timer_verdict(meeting, engine.Timer("warn", 1), NOW)
    assert verdict == engine.Verdict("announce", 7)


def test_a_button_about_a_section_already_left_finds_it_over():
    meeting = running(timedelta(minutes=5), section=2)
    assert engine.section_over(meeting, 1)
    assert not engine.section_over(meeting, 2)
    assert not engine.section_over(meeting, None)


async def test_extending_a_section_that_is_over_changes_nothing():
    meeting = running(timedelta(minutes=5), section=2)
    # refused before the store is used, and before the minutes are checked
    assert await engine.extend(None, meeting, 500, "U1", NOW, expected=1) is False  # type: ignore[arg-type]
    assert meeting.section_ends_at == NOW + timedelta(minutes=5)
    assert meeting.data == {}


# -- triage in a refinement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placement", "needs_po", "archive", "move", "opens"),
    [
        ("top", True, False, Move("top"), True),
        ("bottom", True, False, Move("bottom"), True),
        ("keep", False, False, None, True),
        ("archive", True, True, None, False),
    ],
)
def test_a_triage_placement_plans_its_steps(placement, needs_po, archive, move, opens):
    plan = refinement.plan_triage(BacklogItem(number=7, status="new"), placement)
    assert plan == refinement.TriagePlan(needs_po, archive, move, opens)


def test_an_item_no_longer_new_is_not_opened_again():
    plan = refinement.plan_triage(BacklogItem(number=7, status="open"), "keep")
    assert not plan.opens


def test_a_triaged_item_becomes_open_with_its_history_line():
    item = BacklogItem(number=7, status="new")
    assert refinement.opened(item) == {"status": ["new", "open"]}
    assert item.status == "open"
    assert refinement.opened(item) == {}
    assert item.status == "open"


def test_triage_walks_the_new_items_and_counts_those_done():
    meeting = Meeting(data={"triaged": [{"number": 1, "placement": "top", "by": "U1"}]})
    items = [BacklogItem(number=n, status=s) for n, s in ((2, "new"), (3, "open"), (5, "new"))]
    card = refinement.triage_card(meeting, refinement.new_items(items))
    assert (card.item.number, card.position, card.total) == (2, 2, 3)
    assert refinement.triage_card(meeting, []).item is None
    refinement.record_triage(meeting, 2, "keep", "U2")
    assert [t["number"] for t in meeting.data["triaged"]] == [1, 2]
    team, today = Team(working_days="mon,tue,wed,thu,fri", holiday_country="ES"), date(2026, 3, 2)
    for not_a_day in ("next tuesday", "2026-13-45", "2026-02-30"):
        with pytest.raises(UserError):
            refinement.set_next_session(meeting, not_a_day, team, today)
    refinement.set_next_session(meeting, "2026-03-10", team, today)
    assert meeting.data["next_session"] == "2026-03-10"


def test_the_next_session_is_a_working_day_to_come():
    team, today = Team(working_days="mon,tue,wed,thu,fri", holiday_country="ES"), date(2026, 3, 2)
    meeting = Meeting(data={})
    for day, why in (
        ("2026-03-01", "Sunday 1 March has passed"),
        ("2026-03-07", "Saturday 7 March is a day the team does not work"),
        ("2026-04-03", "Friday 3 April is Good Friday"),
    ):
        with pytest.raises(UserError, match=why):
            refinement.set_next_session(meeting, day, team, today)
    assert "next_session" not in meeting.data
    refinement.set_next_session(meeting, "2026-03-02", team, today)  # today is fine
    # a week on from Friday 27 March is Good Friday: the picker offers the Monday after
    assert refinement.suggested_session(team, date(2026, 3, 27)) == date(2026, 4, 6)


# -- the plan while planning ---------------------------------------------------------------------


def chosen(*rows: tuple[int, bool, str | None]) -> list[SprintItem]:
    return [
        SprintItem(item=BacklogItem(number=n), supports_goal=goal, override_reason=reason)
        for n, goal, reason in rows
    ]


def test_taking_an_item_in_and_leaving_one_out_of_the_plan():
    current = planning.current(chosen((1, True, None), (4, False, "a spike")))
    added = planning.with_item(current, 3, "the customer asked")
    assert added.numbers == (1, 4, 3)
    assert added.supporting == {1, 3}
    assert added.overrides == {1: "", 4: "a spike", 3: "the customer asked"}
    dropped = planning.without_item(added, 4)
    assert dropped.numbers == (1, 3) and 4 not in dropped.overrides


def test_the_selection_form_adds_the_unready_item_taken_with_a_reason():
    selection = planning.from_form([1, 2], {1}, 4, "a one-day spike")
    assert selection.numbers == (1, 2, 4) and selection.overrides == {4: "a one-day spike"}
    assert planning.from_form([1], set(), None, "").overrides == {}


def test_the_selection_form_starts_from_the_plan_or_else_the_proposal():
    assert planning.proposed_selection([], [1, 2]) == planning.Selection((1, 2), frozenset({1, 2}))
    started = planning.proposed_selection(chosen((2, False, None)), [1, 2])
    assert started.numbers == (2,) and started.supporting == {2}, "all serve the goal by default"


# -- an agenda edited in its form ----------------------------------------------------------------


def test_an_agenda_edited_in_its_form_is_checked_section_by_section():
    agenda = builtin("refinement")
    changed = edited(agenda, ["10", "20", "20", "10"], ["Say hello", "", "", ""])
    assert changed.minutes == 60 and changed.sections[0].purpose == "Say hello"
    with pytest.raises(UserError, match="Section 2: give a whole number"):
        edited(agenda, ["10", "ten", "20", "10"], ["", "", "", ""])
    with pytest.raises(UserError, match="add up to 1000 minutes"):
        edited(agenda, ["970", "10", "10", "10"], ["", "", "", ""])


def test_an_item_that_only_followed_a_dependency_is_not_counted_as_refined():
    """When #4 is done during a session, #20 (waiting for it) gets an "edited" line from the
    backlog, not from the team: the minutes list #20 as refined only if someone edited it."""
    agenda = {"sections": [{"title": "Deep dive", "minutes": 30}]}
    meeting = Meeting(goal="", log=[], data={}, agenda=agenda, started_at=NOW, ended_at=NOW)
    waiting, edited_item = BacklogItem(number=20, title="Pay"), BacklogItem(number=21, title="Ship")
    followed = {"dependencies": [[{"item": 4, "resolved": False}], [{"item": 4, "resolved": True}]]}
    events = [
        (ItemEvent(action="edited", changes=followed), waiting),
        (ItemEvent(action="edited", changes={"estimate": [None, 3]}), edited_item),
    ]
    record = refinement.minutes(meeting, events, [], ready_after=0)
    assert record["refined"] == [(21, "Ship")]
    assert record["estimated"] == [(21, "Ship", 3)], "with its estimate"
