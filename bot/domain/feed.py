"""A team's calendar as an iCalendar feed (RFC 5545), for Google Calendar or Outlook to subscribe.

Built with the `icalendar` package (loaded when a feed is first asked for, not at start-up,
as it takes a sixth of a second). The refinement is one recurring event (an RRULE in the
team's TZID, so a daylight-saving change keeps it at the same local time), its occurrences on
holidays, non-working days and skipped ones left out with EXDATE, a moved one given as an
override (RECURRENCE-ID). Plannings come one by one (each sprint's first working day); one
gone by shows only if its sprint was committed. Each sprint shows its first day and its last
working day: its review when the team has a review agenda, else the sprint's end. A committed
sprint shows on its own dates (one planned late starts the day it was planned); after the
last one, and from the slot that holds today, the sprint calendar's slots show as planned;
a slot and its planning are named by the sprint that planning plans
(ceremonies.planned_sprint). No slot before the team's first sprint shows: it was never
held. Every event carries the channel's link and the agenda it covers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.calendar import last_working_day, local_today, zone
from bot.domain.ceremonies import (
    NAMES,
    Occurrence,
    clock_of,
    local,
    occurrence_of,
    occurrences,
    planned_early,
    planned_sprint,
    rrule_day,
    rule_days,
    sprint_number,
)
from bot.domain.errors import UserError
from bot.domain.sprints import sprint_dates
from storage.models import Ceremony, Sprint, Team

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Timebox//Scrum ceremonies//EN"
AHEAD = timedelta(days=366)  # how far the feed reaches
BEHIND = timedelta(days=62)  # and how far back
REFRESH = timedelta(hours=1)
PLANNED = "Planned by the sprint calendar: its sprint planning commits it."


@dataclass(frozen=True)
class Agenda:
    """What a ceremony's events say it covers: its agenda's name and sections (title, minutes)."""

    name: str
    sections: tuple[tuple[str, int], ...] = ()


def channel_link(team: Team) -> str:
    """A link that opens the team's channel in Slack (the app, or the browser)."""
    return f"https://slack.com/app_redirect?team={team.workspace_id}&channel={team.channel_id}"


def feed(
    team: Team,
    ceremonies: Sequence[Ceremony],
    agendas: Mapping[str, Agenda],
    goals: Mapping[int, str],
    now: datetime,
    review: Agenda | None = None,
    sprints: Sequence[Sprint] = (),
) -> bytes:
    """The team's feed as iCalendar bytes. `agendas` by ceremony kind; `goals` by sprint
    number; `review`: the team's review agenda, if it has one; `sprints`: the team's recent
    sprints, those committed shown as they are."""
    from icalendar import Calendar  # a sixth of a second to load: not at every start-up

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Timebox: Scrum ceremonies")
    calendar.add("x-wr-timezone", zone(team).key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    link = channel_link(team)
    held = {s.number for s in sprints if s.status != "planning"}
    today = local_today(team, now)
    for ceremony in ceremonies:
        agenda = agendas.get(ceremony.kind) or Agenda(NAMES[ceremony.kind])
        if ceremony.kind == "refinement":
            for event in _recurring(team, ceremony, agenda, link, now):
                calendar.add_component(event)
        else:
            for occurrence in occurrences(team, ceremony, now - BEHIND, now + AHEAD):
                gone = occurrence.starts.astimezone(zone(team)).date() < today
                number = planned_sprint(team, occurrence.day, sprints, today)
                if gone and number not in held:
                    continue  # never held: its day is over and its sprint was not committed
                if not gone and planned_early(team, occurrence, sprints, today):
                    continue  # its sprint was committed ahead of its slot: not held again
                calendar.add_component(_single(team, occurrence, number, agenda, link, now))
    for event in _sprints(team, goals, sprints, review, link, now):
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _uid(team: Team, what: str) -> str:
    return f"timebox-{team.id}-{what}@timebox"


def _timed(
    uid: str, summary: str, starts: datetime, minutes: int, text: str, link: str, now: datetime
) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=minutes))
    event.add("description", text)
    event.add("url", link)
    event.add("location", "Slack")
    return event


def _text(agenda: Agenda, minutes: int, link: str, extra: str = "") -> str:
    lines = [f"{agenda.name} · {minutes} min"]
    if agenda.sections:
        lines += ["", "Agenda:", *(f"- {title} · {m} min" for title, m in agenda.sections)]
    if extra:
        lines += ["", extra]
    return "\n".join([*lines, "", f"In Slack: {link}"])


def _recurring(
    team: Team, ceremony: Ceremony, agenda: Agenda, link: str, now: datetime
) -> list[Event]:
    """The refinement: its rule as an RRULE from its first day, with what the rule gives but
    the team does not hold left out (EXDATE) and moved occurrences as overrides."""
    at, first = clock_of(ceremony), ceremony.starts_on
    uid = _uid(team, "refinement")
    text = _text(agenda, ceremony.minutes, link)
    master = _timed(
        uid, NAMES["refinement"], local(team, first, at), ceremony.minutes, text, link, now
    )
    rule = {"freq": "weekly", "byday": rrule_day(ceremony.weekday or "mon")}
    if ceremony.every_weeks > 1:
        rule["interval"] = ceremony.every_weeks
    master.add("rrule", rule)
    last = (now + AHEAD).astimezone(zone(team)).date()
    left_out, moved = [], []
    for day in rule_days(team, ceremony, first, last):
        occurrence = occurrence_of(team, ceremony, day)
        if occurrence is None:
            left_out.append(local(team, day, at))
        elif occurrence.moved:
            moved.append(occurrence)
    if left_out:
        master.add("exdate", left_out)
    events = [master]
    for occurrence in moved:
        override = _timed(
            uid,
            NAMES["refinement"],
            occurrence.starts,
            occurrence.minutes,
            text,
            link,
            now,
        )
        override.add("recurrence-id", local(team, occurrence.day, at))
        events.append(override)
    return events


def _single(
    team: Team, occurrence: Occurrence, number: int | None, agenda: Agenda, link: str, now: datetime
) -> Event:
    """A planning, named by the sprint it plans (`number`: ceremonies.planned_sprint)."""
    summary = occurrence.name + (f" · Sprint {number}" if number else "")
    uid = _uid(team, f"{occurrence.kind}-{occurrence.day:%Y%m%d}")
    text = _text(agenda, occurrence.minutes, link)
    return _timed(uid, summary, occurrence.starts, occurrence.minutes, text, link, now)


def _all_day(uid: str, summary: str, day: date, text: str, link: str, now: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("description", text)
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def _sprints(
    team: Team,
    goals: Mapping[int, str],
    sprints: Sequence[Sprint],
    review: Agenda | None,
    link: str,
    now: datetime,
) -> list[Event]:
    """Each sprint's first day, and its last working day: its review, or its end. Committed
    sprints (among `sprints`) on their own dates; then the calendar's slots from the one that
    holds today, planned, each named by the sprint its planning plans
    (ceremonies.planned_sprint), none held by a committed sprint."""
    if team.sprint_start is None:
        return []
    today = now.astimezone(zone(team)).date()
    length = timedelta(weeks=team.sprint_weeks)
    current = sprint_number(team, today) or 1
    committed = [s for s in sprints if s.status != "planning"]
    held = {s.number for s in committed}
    shown = [
        (s.number, s.starts_on, s.ends_on, s.goal)
        for s in sorted(committed, key=lambda s: s.number)
        if s.ends_on >= today - BEHIND
    ]
    for slot in range(current, current + AHEAD // length + 1):
        try:
            starts, ends = sprint_dates(team, slot)
        except UserError:  # a start out of any calendar's reach: the slots it has
            break
        number = planned_sprint(team, starts, sprints, today)
        if number is not None and number not in held:
            shown.append((number, starts, ends, goals.get(number, "")))
    events = []
    for number, starts, ends, goal in shown:
        said = f"Sprint goal: {goal}" if goal else ""
        if number not in held:
            said = "\n".join(filter(None, [PLANNED, said]))
        events.append(
            _all_day(
                _uid(team, f"sprint-{number}-start"),
                f"Sprint {number} starts",
                starts,
                "\n".join(filter(None, [said, f"In Slack: {link}"])),
                link,
                now,
            )
        )
        last = last_working_day(team, starts, ends)
        if review is not None:
            summary = f"Sprint {number} review"
            agenda = [f"- {title} · {m} min" for title, m in review.sections]
            lines = [review.name, *(["", "Agenda:", *agenda] if agenda else [])]
        else:
            summary, lines = f"Sprint {number} ends", ["The sprint's last working day."]
        text = "\n".join([*lines, *(["", said] if said else []), "", f"In Slack: {link}"])
        events.append(_all_day(_uid(team, f"sprint-{number}-end"), summary, last, text, link, now))
    return events
