"""Which occurrence a meeting belongs to (the one of its kind held on the day it started, on
the team's wall clock, wherever a move put it), when a Start now finds it held already, and
the keys of the reminder's redraw: one per start, one per refused click."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.domain import ceremonies as rules
from bot.domain import ceremonies_held as held_rules
from storage.models import Meeting
from tests.domain.factories import team
from tests.domain.test_ceremonies import MONDAY, refinement

WEDNESDAY = date(2026, 3, 4)


def meeting(started: datetime, ended: datetime | None = None, kind: str = "refinement"):
    return Meeting(
        id=11, kind=kind, facilitator="U0SM", started_at=started, ended_at=ended, team_id=7
    )


def test_the_occurrence_held_on_a_day_is_found_by_its_day_and_moves_with_it():
    the_team = team()
    ceremony = refinement(the_team)
    found = held_rules.held_on(the_team, ceremony, WEDNESDAY)
    assert found is not None and found.starts.hour == 14
    assert held_rules.held_on(the_team, ceremony, date(2026, 3, 3)) is None
    occurrence = rules.occurrence_of(the_team, ceremony, WEDNESDAY)
    assert occurrence is not None
    rules.move(the_team, ceremony, occurrence, date(2026, 3, 5), time(9, 30), MONDAY)
    assert held_rules.held_on(the_team, ceremony, WEDNESDAY) is None
    moved = held_rules.held_on(the_team, ceremony, date(2026, 3, 5))
    assert moved is not None and moved.day == WEDNESDAY, "it keeps its identity"


def test_a_meeting_belongs_to_the_occurrence_of_its_kind_on_its_days_wall_clock():
    the_team = team()
    occurrence = held_rules.held_on(the_team, refinement(the_team), WEDNESDAY)
    assert occurrence is not None
    assert held_rules.same_day(
        the_team, occurrence, meeting(datetime(2026, 3, 4, 7, 0, tzinfo=UTC))
    )
    late_tuesday = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    assert not held_rules.same_day(the_team, occurrence, meeting(late_tuesday))
    early = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)  # 00:30 on Wednesday in Berlin
    assert held_rules.same_day(the_team, occurrence, meeting(early))
    planning = meeting(datetime(2026, 3, 4, 7, 0, tzinfo=UTC), kind="planning")
    assert not held_rules.same_day(the_team, occurrence, planning)


def test_held_says_who_facilitated_and_when_it_ended_in_the_teams_zone():
    the_team = team()
    occurrence = held_rules.held_on(the_team, refinement(the_team), WEDNESDAY)
    assert occurrence is not None
    morning = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    ended = meeting(morning, datetime(2026, 3, 4, 8, 42, tzinfo=UTC))
    held = held_rules.held(the_team, occurrence, ended)
    assert held is not None
    assert (held.facilitator, held.ended.strftime("%H:%M"), held.zone) == (
        "U0SM",
        "09:42",
        "Europe/Berlin",
    )
    assert held.command == "/refine" and held.name == "backlog refinement"
    assert held_rules.held(the_team, occurrence, meeting(morning)) is None, "still running"
    yesterday = meeting(datetime(2026, 3, 3, 8, 0, tzinfo=UTC), morning)
    assert held_rules.held(the_team, occurrence, yesterday) is None
    assert held_rules.held(the_team, occurrence, None) is None


def test_only_the_occurrences_own_automatic_start_began_by_itself():
    the_team = team()
    occurrence = held_rules.held_on(the_team, refinement(the_team), WEDNESDAY)
    assert occurrence is not None
    start = rules.job_key(the_team.id, occurrence, "start")
    assert held_rules.began_by_itself(the_team.id, occurrence, f"{start}:2")
    assert not held_rules.began_by_itself(the_team.id, occurrence, "trigger-123")
    assert not held_rules.began_by_itself(the_team.id, occurrence, None)


def test_a_redraw_has_one_key_per_start_and_per_click_and_names_its_occurrence():
    the_team = team()
    occurrence = held_rules.held_on(the_team, refinement(the_team), WEDNESDAY)
    assert occurrence is not None
    start = held_rules.redraw_key(the_team.id, occurrence, 11, None)
    assert start == held_rules.redraw_key(the_team.id, occurrence, 11, None)
    assert start != held_rules.redraw_key(the_team.id, occurrence, 12, None)
    click = held_rules.redraw_key(the_team.id, occurrence, 11, "trigger-1")
    assert click not in (start, held_rules.redraw_key(the_team.id, occurrence, 11, "trigger-2"))
    assert not start.startswith(rules.job_prefix(the_team.id, occurrence.kind)), (
        "a change of the calendar, which cancels the ceremony's jobs, keeps it"
    )
    started = meeting(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))
    redrawing = held_rules.Redrawing(occurrence, started)
    assert redrawing.key(the_team.id) == held_rules.redraw_key(the_team.id, occurrence, 11, None)
    assert held_rules.redrawn_occurrence(redrawing.payload(the_team)) == occurrence
