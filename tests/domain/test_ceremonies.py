"""Recurring ceremonies as plain rules: what people type, when occurrences fall (holidays,
working days, daylight saving), skipping and moving one, what a due job does, and the feed
parsed back by real iCalendar parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from bot.domain import ceremonies as rules
from bot.domain import commands, feed
from bot.domain.ceremonies import Schedule
from bot.domain.errors import UsageError, UserError
from storage.models import Ceremony, Team
from tests.domain.factories import team

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def refinement(the_team: Team, spec: str = "wed 14:00", now: datetime = MONDAY) -> Ceremony:
    parsed = commands.parse_refine(f"schedule {spec}").schedule
    assert parsed is not None
    ceremony = rules.scheduled(the_team, None, parsed, parsed.minutes or 60, "U0PO", now)
    ceremony.id = 3
    return ceremony


def planning(the_team: Team, spec: str = "10:00") -> Ceremony:
    parsed = commands.parse_planning(f"schedule {spec}").schedule
    assert parsed is not None
    ceremony = rules.scheduled(the_team, None, parsed, parsed.minutes or 120, "U0PO", MONDAY)
    ceremony.id = 4
    return ceremony


# -- what people type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wed 14:00", Schedule("refinement", time(14), "wed")),
        ("Wednesday 2pm every 2w 90m", Schedule("refinement", time(14), "wed", 2, 90)),
        (
            "14:00 thu every 2 weeks 1h auto start",
            Schedule("refinement", time(14), "thu", 2, 60, True),
        ),
        ("fri at 9:30 biweekly auto", Schedule("refinement", time(9, 30), "fri", 2, None, True)),
        ("off", Schedule("refinement")),
    ],
)
def test_refinement_schedules_read_in_any_order(text, expected):
    assert commands.parse_refine(f"schedule {text}").schedule == expected


def test_planning_schedules_take_a_time_and_no_weekday():
    parsed = commands.parse_planning("schedule 10:00 2h auto")
    assert parsed.schedule == Schedule("planning", time(10), None, 1, 120, True)
    with pytest.raises(UsageError, match="first working day"):
        commands.parse_planning("schedule mon 10:00")


def test_the_calendar_command_reads_skip_move_lead_and_feed():
    def parse(text):
        return commands.parse_timebox(f"calendar {text}").calendar

    assert parse("").verb == "show"
    on = rules.SessionDay
    assert parse("skip 2026-03-04") == rules.CalendarRequest("skip", day=on(date(2026, 3, 4)))
    moved = parse("move refine 2026-03-04 to 2026-03-05 15:30")
    assert moved == rules.CalendarRequest(
        "move", "refinement", on(date(2026, 3, 4)), on(date(2026, 3, 5)), time(15, 30)
    )
    assert parse("move 2026-03-04 to 9am").to_at == time(9)
    assert parse("lead 30m").lead == 30 and parse("lead 0").lead == 0
    assert parse("feed").verb == "feed" and parse("rotate").verb == "rotate"
    for wrong in ("skip", "skip tomorrow", "move 2026-03-04 15:00", "lead soon", "dance"):
        with pytest.raises(UsageError):
            parse(wrong)


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("next", rules.SessionDay()),
        ("thu", rules.SessionDay(weekday="thu")),
        ("Thursday", rules.SessionDay(weekday="thu")),
        ("next thu", rules.SessionDay(weekday="thu")),
        ("planning next", rules.SessionDay()),
        ("2026-12-10", rules.SessionDay(date(2026, 12, 10))),
        ("dec 10", rules.SessionDay(month_day=(12, 10))),
        ("10 December", rules.SessionDay(month_day=(12, 10))),
        ("feb 29th", rules.SessionDay(month_day=(2, 29))),
    ],
)
def test_a_session_is_named_by_next_a_weekday_or_a_date(said, day):
    assert commands.parse_timebox(f"calendar skip {said}").calendar.day == day


@pytest.mark.parametrize(
    ("said", "problem"),
    [
        ("skip", "Say which one: `next`"),
        ("skip someday", "`someday` is not a day I can find: say `next`"),
        ("skip dec 45", "`dec 45` is not a day I can find"),
        ("skip 2026-03-04 2026-03-11", "Skip one occurrence at a time."),
        ("move thu to someday", "`someday` is not a day to move it to: say a weekday like `tue`"),
        ("move thu 15:00", "Say where to"),
    ],
)
def test_a_day_not_understood_is_answered_with_the_forms_that_are(said, problem):
    with pytest.raises(UsageError) as refused:
        commands.parse_timebox(f"calendar {said}")
    assert problem in refused.value.message
    if said.startswith("skip") and "one" not in problem:
        assert "a weekday like `thu`" in refused.value.message
        assert "`2026-12-10` or `dec 10`" in refused.value.message


def test_a_month_and_day_is_the_next_such_day_and_a_weekday_the_next_session_on_it():
    assert rules.SessionDay(month_day=(3, 2)).date_from(date(2026, 3, 2)) == date(2026, 3, 2)
    assert rules.SessionDay(month_day=(3, 1)).date_from(date(2026, 3, 2)) == date(2027, 3, 1)
    assert rules.SessionDay(month_day=(2, 29)).date_from(date(2026, 3, 2)) == date(2028, 2, 29)
    # In Tokyo it is Monday 2 March 18:00; Tuesday's 07:00 refinement is on Monday in UTC.
    tokyo = ZoneInfo("Asia/Tokyo")
    the_team = team(timezone="Asia/Tokyo")
    ceremony = refinement(the_team, "tue 7:00")
    _, found = rules.named(the_team, [ceremony], None, rules.SessionDay(weekday="tue"), MONDAY)
    assert found.starts == datetime(2026, 3, 3, 7, 0, tzinfo=tokyo)
    _, found = rules.named(the_team, [ceremony], None, rules.SessionDay(), MONDAY)
    assert found.day == date(2026, 3, 3)
    rules.skip(ceremony, found, MONDAY)
    _, after = rules.named(the_team, [ceremony], None, rules.SessionDay(), MONDAY)
    assert after.day == date(2026, 3, 10), "next is the next one still to take place"
    with pytest.raises(UserError, match="No ceremony is coming on a Monday"):
        rules.named(the_team, [ceremony], None, rules.SessionDay(weekday="mon"), MONDAY)


# -- occurrences ---------------------------------------------------------------------------------


def test_a_weekly_refinement_keeps_local_time_across_daylight_saving_and_skips_holidays():
    the_team = team(holiday_country="DE")
    ceremony = refinement(the_team, "mon 14:00 60m")
    coming = rules.next_occurrences(the_team, ceremony, MONDAY, 6)
    days = [o.starts.date() for o in coming]
    # Easter Monday (6 April 2026) is a public holiday in Germany: left out.
    assert days == [date(2026, 3, d) for d in (2, 9, 16, 23, 30)] + [date(2026, 4, 13)]
    assert {o.starts.astimezone(BERLIN).time() for o in coming} == {time(14)}
    in_utc = [o.starts.astimezone(UTC).hour for o in coming]
    assert in_utc == [13, 13, 13, 13, 12, 12], "CET, then CEST from 29 March"
    assert rules.remind_at(coming[4], 15) == datetime(2026, 3, 30, 11, 45, tzinfo=UTC)


def test_every_other_week_counts_from_the_first_and_a_non_working_day_is_refused():
    the_team = team()
    ceremony = refinement(the_team, "thu 11:00 every 2w")
    days = [o.day for o in rules.next_occurrences(the_team, ceremony, MONDAY, 3)]
    assert days == [date(2026, 3, 5), date(2026, 3, 19), date(2026, 4, 2)]
    with pytest.raises(UserError, match="not one of the team's working days"):
        refinement(the_team, "sat 10:00")
    ceremony.every_weeks, the_team.working_days = 1, "mon,tue,wed"
    assert rules.next_occurrences(the_team, ceremony, MONDAY, 1) == [], "Thursday is off now"


def test_planning_is_on_each_sprints_first_working_day():
    the_team = team(holiday_country="DE", sprint_start=date(2026, 3, 30))  # sprints on Mondays
    ceremony = planning(the_team)
    coming = rules.next_occurrences(the_team, ceremony, MONDAY, 3)
    # Sprint 2 starts on Easter Monday: its planning is on the Tuesday.
    assert [(o.day, o.starts.date()) for o in coming] == [
        (date(2026, 3, 30), date(2026, 3, 30)),
        (date(2026, 4, 13), date(2026, 4, 13)),
        (date(2026, 4, 27), date(2026, 4, 27)),
    ]
    the_team.sprint_start = date(2026, 4, 6)
    assert rules.next_occurrences(the_team, ceremony, MONDAY, 1)[0].starts == datetime(
        2026, 4, 7, 10, tzinfo=BERLIN
    )
    with pytest.raises(UserError, match="no sprint calendar yet"):
        planning(team(sprint_start=None))


def test_skip_and_move_one_occurrence_keep_its_identity():
    the_team = team()
    ceremony = refinement(the_team)
    first, second, third = rules.next_occurrences(the_team, ceremony, MONDAY, 3)
    rules.skip(ceremony, second, MONDAY)
    moved = rules.move(the_team, ceremony, third, date(2026, 3, 19), time(9, 30), MONDAY)
    assert moved.day == third.day and moved.starts == datetime(2026, 3, 19, 9, 30, tzinfo=BERLIN)
    assert rules.job_key(7, moved, "remind") != rules.job_key(7, third, "remind")
    coming = rules.next_occurrences(the_team, ceremony, MONDAY, 3)
    assert [o.starts.date() for o in coming] == [
        date(2026, 3, 4),
        date(2026, 3, 19),
        date(2026, 3, 25),
    ]
    shown = rules.coming(the_team, [ceremony], MONDAY)
    assert [o.skipped for o in shown[:3]] == [False, True, False]
    _, found = rules.named(the_team, [ceremony], None, rules.SessionDay(date(2026, 3, 19)), MONDAY)
    assert found.day == date(2026, 3, 18), "named by the day it now takes place"
    with pytest.raises(UserError, match="skipped already"):
        rules.skip(ceremony, shown[1], MONDAY)
    with pytest.raises(UserError, match="No ceremony is coming"):
        rules.named(the_team, [ceremony], None, rules.SessionDay(date(2026, 3, 10)), MONDAY)
    with pytest.raises(UserError, match="has passed"):
        rules.move(the_team, ceremony, first, date(2026, 3, 1), None, MONDAY)


def test_a_changed_rule_forgets_what_was_done_to_single_occurrences():
    the_team = team()
    ceremony = refinement(the_team)
    rules.skip(ceremony, rules.next_occurrences(the_team, ceremony, MONDAY, 1)[0], MONDAY)
    same = commands.parse_refine("schedule wed 14:00 auto").schedule
    rules.scheduled(the_team, ceremony, same, 60, "U0SM", MONDAY)
    assert ceremony.changes and ceremony.auto_start, "the same rule keeps its skips"
    other = commands.parse_refine("schedule wed 15:00").schedule
    rules.scheduled(the_team, ceremony, other, 60, "U0SM", MONDAY)
    assert ceremony.changes == {}


def test_a_due_job_acts_only_while_the_calendar_still_says_so():
    the_team = team()
    ceremony = refinement(the_team)
    ceremony.auto_start = True
    occurrence = rules.next_occurrences(the_team, ceremony, MONDAY, 1)[0]
    payload = rules.job_payload(7, occurrence)
    remind = rules.remind_at(occurrence, 15)
    assert rules.due_verdict(the_team, ceremony, payload, remind, "remind").act
    assert rules.due_verdict(the_team, ceremony, payload, occurrence.starts, "remind").act, (
        "`lead 0`: at the start"
    )
    later = occurrence.starts + timedelta(minutes=10)
    begun = rules.due_verdict(the_team, ceremony, payload, later, "remind")
    assert not begun.act and "had begun" in begun.outcome
    assert rules.due_verdict(the_team, ceremony, payload, occurrence.starts, "start").act
    late = occurrence.starts + timedelta(hours=1)
    assert (
        "60 minutes late" in rules.due_verdict(the_team, ceremony, payload, late, "start").outcome
    )
    rules.move(the_team, ceremony, occurrence, None, time(16), MONDAY)
    assert "moved" in rules.due_verdict(the_team, ceremony, payload, remind, "remind").outcome
    assert not rules.due_verdict(the_team, None, payload, remind, "remind").act


def test_a_reminder_says_the_minutes_left_rounded_up_and_none_once_begun():
    the_team = team()
    [occurrence] = rules.next_occurrences(the_team, refinement(the_team), MONDAY, 1)
    starts = occurrence.starts
    assert rules.minutes_until(occurrence, starts - timedelta(minutes=15)) == 15
    assert rules.minutes_until(occurrence, starts - timedelta(minutes=14, seconds=30)) == 15
    assert rules.minutes_until(occurrence, starts - timedelta(seconds=1)) == 1
    assert rules.minutes_until(occurrence, starts) == 0
    assert rules.minutes_until(occurrence, starts + timedelta(minutes=3)) == 0  # within grace


def test_an_occurrence_over_the_night_the_clocks_change_counts_real_minutes():
    """Wall-clock arithmetic would end a two-hour session from 01:30 at 03:30 on the night
    Berlin goes back (in fact 02:30 the second time) and remind 15 minutes before a 03:10
    start at 02:55 the first time, an hour early."""
    berlin = ZoneInfo("Europe/Berlin")
    night = date(2026, 10, 25)
    session = rules.Occurrence(
        1, "refinement", night, datetime(2026, 10, 25, 1, 30, tzinfo=berlin), 120
    )
    assert session.ends.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    late = rules.Occurrence(
        1, "refinement", night, datetime(2026, 10, 25, 3, 10, tzinfo=berlin), 60
    )
    assert rules.remind_at(late, 15) == datetime(2026, 10, 25, 1, 55, tzinfo=UTC)


# -- the feed ------------------------------------------------------------------------------------


def _feed(the_team: Team, *ceremonies: Ceremony, now: datetime = MONDAY) -> icalendar.Calendar:
    agendas = {"refinement": feed.Agenda("Backlog refinement", (("Kick-off", 5), ("Triage", 25)))}
    ics = feed.feed(the_team, list(ceremonies), agendas, {1: "Invoices out"}, now)
    return icalendar.Calendar.from_ical(ics)


def test_the_feed_has_a_recurring_refinement_in_the_teams_zone_across_daylight_saving():
    the_team = team(holiday_country="DE")
    ceremony = refinement(the_team, "mon 14:00 60m")
    second = rules.next_occurrences(the_team, ceremony, MONDAY, 2)[1]
    rules.move(the_team, ceremony, second, date(2026, 3, 10), time(9), MONDAY)
    calendar = _feed(the_team, ceremony, planning(the_team))
    [master] = [e for e in calendar.walk("VEVENT") if "RRULE" in e]
    assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["BYDAY"] == ["MO"]
    assert "Kick-off · 5 min" in master["DESCRIPTION"] and "app_redirect" in master["URL"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]

    events = recurring_ical_events.of(calendar).between(date(2026, 3, 1), date(2026, 4, 20))
    refinements = sorted(
        e["DTSTART"].dt for e in events if str(e["SUMMARY"]) == "Backlog refinement"
    )
    assert refinements == [
        datetime(2026, 3, 2, 14, tzinfo=BERLIN),
        datetime(2026, 3, 10, 9, tzinfo=BERLIN),  # moved from Monday the 9th
        datetime(2026, 3, 16, 14, tzinfo=BERLIN),
        datetime(2026, 3, 23, 14, tzinfo=BERLIN),
        datetime(2026, 3, 30, 14, tzinfo=BERLIN),  # summer time from 29 March
        datetime(2026, 4, 13, 14, tzinfo=BERLIN),  # 6 April: Easter Monday
    ]
    assert [d.astimezone(UTC).hour for d in refinements] == [13, 8, 13, 13, 12, 12]
    plannings = sorted(e["DTSTART"].dt for e in events if "Sprint planning" in e["SUMMARY"])
    assert plannings[:3] == [datetime(2026, 3, d, 10, tzinfo=BERLIN) for d in (2, 16, 30)]
    boundaries = {str(e["SUMMARY"]): e["DTSTART"].dt for e in events if "Sprint 1 " in e["SUMMARY"]}
    assert boundaries == {"Sprint 1 starts": date(2026, 3, 2), "Sprint 1 ends": date(2026, 3, 13)}
    [start] = [e for e in events if e["SUMMARY"] == "Sprint 1 starts"]
    assert "Invoices out" in start["DESCRIPTION"]


def test_a_review_agenda_turns_the_sprint_end_into_the_review():
    the_team = team()
    review = feed.Agenda("Sprint review", (("Increment", 30), ("Value", 30)))
    ics = feed.feed(the_team, [], {}, {}, MONDAY, review)
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(
        date(2026, 3, 1), date(2026, 3, 20)
    )
    [end] = [e for e in events if "Sprint 1 review" in e["SUMMARY"]]
    assert end["DTSTART"].dt == date(2026, 3, 13) and "Increment · 30 min" in end["DESCRIPTION"]


def test_the_feed_secret_is_kept_as_a_hash():
    digest = rules.feed_hash("a-secret-token-of-forty-characters-long")
    assert len(digest) == 64 and "secret" not in digest
