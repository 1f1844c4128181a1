"""A ceremony's reminder once that day's meeting of its kind has begun, or was held: which
occurrence a meeting belongs to, the durable redraw of its reminder (without its Start now),
and why a Start now of one held already starts nothing.

A meeting belongs to the occurrence of its kind held on the day it started, on the team's wall
clock: `/refine start` at 09:00 is that day's refinement as much as its Start now is. The
redraw is due work (`REDRAW`) recorded in the transaction that decides it (the start, the
refused click), so a failed edit is retried and a crash does not lose it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.calendar import local_today, zone, zone_name
from bot.domain.ceremonies import KIND_COMMANDS, NAMES, Occurrence, job_key, occurrences
from storage.models import Ceremony, Meeting, Team

REDRAW = "ceremony_redraw"  # the job that redraws a reminder without its Start now
REDRAW_KEY = "ceremony-redraw"
REDRAW_AFTER = timedelta(seconds=10)
"""When the redraw recorded with a start is due: after its agenda card has normally reached
Slack (until then it is not known to stand), unless the Slack side of a click or an automatic
start runs it at once."""


@dataclass(frozen=True)
class Held:
    """A meeting of the occurrence's kind held and ended on its day: who facilitated it, and
    when it ended on the team's wall clock."""

    kind: str
    facilitator: str
    ended: datetime
    zone: str

    @property
    def name(self) -> str:
        return NAMES[self.kind].lower()

    @property
    def command(self) -> str:
        return KIND_COMMANDS[self.kind]


def held_on(team: Team, ceremony: Ceremony, day: date) -> Occurrence | None:
    """The ceremony's occurrence held on `day` (the team's wall clock), wherever a move put it;
    None if none is."""
    first = datetime.combine(day, datetime.min.time(), tzinfo=zone(team))
    found = occurrences(team, ceremony, first - timedelta(microseconds=1), first + timedelta(1))
    return next((o for o in found if o.starts.date() == day), None)


def same_day(team: Team, occurrence: Occurrence, meeting: Meeting) -> bool:
    """Whether the meeting is of the occurrence's kind and began on the day it is held."""
    started = local_today(team, meeting.started_at)
    return meeting.kind == occurrence.kind and started == occurrence.starts.date()


def held(team: Team, occurrence: Occurrence, ended: Meeting | None) -> Held | None:
    """The occurrence's meeting as held already: `ended` (the team's latest ended meeting of
    its kind) if it began on the occurrence's day; else None."""
    if ended is None or ended.ended_at is None or not same_day(team, occurrence, ended):
        return None
    when = ended.ended_at.astimezone(zone(team))
    return Held(occurrence.kind, ended.facilitator, when, zone_name(team))


def began_by_itself(team_id: int, occurrence: Occurrence, request: str | None) -> bool:
    """Whether a start is the occurrence's automatic start: its request is that job's try
    (`<start job key>:<attempt>`, as bot.usecases.calendar.start_due names it)."""
    return bool(request) and str(request).startswith(job_key(team_id, occurrence, "start") + ":")


def redraw_key(team_id: int, occurrence: Occurrence, meeting_id: int, click: str | None) -> str:
    """One redraw per occurrence and meeting (its start's), or per refused click (`click`, the
    request's identity: a copy of it redraws once)."""
    cause = f"click:{click}" if click else "start"
    return f"{REDRAW_KEY}:{team_id}:{occurrence.ref}:{meeting_id}:{cause}"[:200]


@dataclass(frozen=True)
class Redrawing:
    """A reminder's redraw to record: the occurrence's, for the meeting that began (or, `held`,
    was held), caused by its start or by a refused click (`click`); `by_itself`: the meeting
    is the occurrence's automatic start."""

    occurrence: Occurrence
    meeting: Meeting
    click: str | None = None
    by_itself: bool = False
    held: bool = False

    def key(self, team_id: int) -> str:
        return redraw_key(team_id, self.occurrence, self.meeting.id, self.click)

    def payload(self, team: Team) -> dict[str, Any]:
        occurrence = self.occurrence
        return {
            "team_id": team.id,
            "workspace": team.workspace_id,
            "ceremony": occurrence.ceremony_id,
            "kind": occurrence.kind,
            "day": occurrence.day.isoformat(),
            "starts": occurrence.starts.isoformat(),
            "minutes": occurrence.minutes,
            "meeting": self.meeting.id,
            "by_itself": self.by_itself,
            "held": self.held,
        }


def redrawn_occurrence(payload: dict[str, Any]) -> Occurrence:
    """The occurrence a redraw's payload names (its reminder's button names it)."""
    return Occurrence(
        int(payload["ceremony"]),
        str(payload["kind"]),
        date.fromisoformat(payload["day"]),
        datetime.fromisoformat(payload["starts"]),
        int(payload["minutes"]),
    )
