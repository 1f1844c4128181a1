"""The meeting rules the use cases ask: what a fired timer does, a late extend, and triage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agendas import engine, refinement
from bot.domain.backlog import Move
from storage.models import BacklogItem, Meeting

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


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
