"""Recurring ceremonies: when a team's refinements and plannings take place, and what is due.

A refinement recurs on a weekday every n weeks; a planning opens each sprint, on its first
working day. Both keep the team's wall-clock time in its time zone (a daylight-saving change
moves them in UTC, not on the wall), and the rule gives no occurrence on a holiday or a day
the team does not work. One occurrence can be skipped or moved: it keeps its identity, the
day its rule gives it, so its reminder and its automatic start each have one job key, and fire
once whatever restarts or instances there are.

Times in and out are aware datetimes; an occurrence's `starts` is in the team's zone.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.domain.calendar import (
    WEEKDAYS,
    clock_time,
    holiday_name,
    is_working_day,
    local_today,
    next_planning,
    zone,
)
from bot.domain.errors import UsageError, UserError
from bot.domain.sprints import next_planning_day
from storage.models import Ceremony, Sprint, Team

KINDS = ("refinement", "planning")
NAMES = {"refinement": "Backlog refinement", "planning": "Sprint planning"}
KIND_COMMANDS = {"refinement": "/refine", "planning": "/planning"}
KIND_WORDS = {
    "refinement": "refinement",
    "refine": "refinement",
    "planning": "planning",
    "plan": "planning",
}
REMIND = "ceremony_reminder"
START = "ceremony_start"
DEFAULT_LEAD = 15  # minutes before a ceremony that its reminder comes
MAX_LEAD = 24 * 60
MAX_EVERY = 8  # weeks
MIN_MINUTES, MAX_MINUTES = 5, 8 * 60
START_GRACE = timedelta(minutes=30)  # an automatic start this late still starts
REMIND_GRACE = timedelta(minutes=5)  # a reminder this late still comes (`lead 0`: at the start)
LOOK_AHEAD = timedelta(days=400)
MOVE_WITHIN = timedelta(days=366)
KEEP_CHANGES = timedelta(days=62)  # changes of occurrences long past are forgotten
SHOWN_DAYS = 28  # what `/timebox calendar` shows

_DAY_NAMES = {
    **{d: d for d in WEEKDAYS},
    "monday": "mon",
    "tuesday": "tue",
    "tues": "tue",
    "wednesday": "wed",
    "weds": "wed",
    "thursday": "thu",
    "thur": "thu",
    "thurs": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_WEEKDAY_NAMES = {d: name.capitalize() for name, d in _DAY_NAMES.items() if name.endswith("day")}
_TIME = re.compile(r"\d{1,2}(?::\d{2})?(?:am|pm)|\d{1,2}:\d{2}")
_LENGTH = re.compile(r"(?:(\d{1,6})h)?(?:(\d{1,6})m(?:in|ins|inutes?)?)?")
_EVERY = re.compile(r"(\d{1,2})(?:w|wk|wks|weeks?)?")
_RRULE_DAYS = {
    "mon": "MO",
    "tue": "TU",
    "wed": "WE",
    "thu": "TH",
    "fri": "FR",
    "sat": "SA",
    "sun": "SU",
}
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


# -- what people type ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """`/refine schedule wed 14:00 every 2w 60m auto` or `/planning schedule 10:00`; `at` None:
    `off` (no more of them)."""

    kind: str
    at: time | None = None
    weekday: str | None = None
    every: int = 1
    minutes: int | None = None
    auto: bool = False

    @property
    def off(self) -> bool:
        return self.at is None


def parse_schedule(kind: str, words: Sequence[str], usage: str) -> Schedule:
    """The words after `schedule`, in any order; `usage` is the command's usage line."""
    words = [w.lower() for w in words]
    if words == ["off"]:
        return Schedule(kind)
    if not words:
        example = "wed 14:00" if kind == "refinement" else "10:00"
        raise UsageError(f"Say when, e.g. `{example}`, or `off`.", usage)
    said: dict[str, Any] = {}

    def once(what: str, value: Any) -> None:
        if what in said:
            raise UsageError(f"Say the {what} once.", usage)
        said[what] = value

    rest = iter(words)
    for word in rest:
        if word in ("at", "on", "for"):
            continue
        if word in _DAY_NAMES:
            once("weekday", _DAY_NAMES[word])
        elif word == "every":
            once("repeat", _every(next(rest, ""), rest, usage))
        elif word in ("weekly", "biweekly", "fortnightly"):
            once("repeat", 1 if word == "weekly" else 2)
        elif word == "auto":
            once("auto", True)
        elif word == "start" and said.get("auto"):
            continue  # `auto start`
        elif word in ("week", "weeks") and "repeat" in said:
            continue  # `every 2 weeks`
        elif _TIME.fullmatch(word):
            once("time", clock_time(word, "`14:00` or `2pm`", usage))
        elif (length := _LENGTH.fullmatch(word)) is not None and any(length.groups()):
            once("length", _minutes(word, usage))
        else:
            raise UsageError(
                f"`{word}` is not a weekday, a time like `14:00`, `every 2w`, a length like "
                "`60m` or `auto`.",
                usage,
            )
    if "time" not in said:
        raise UsageError("Say the time, like `14:00`.", usage)
    if kind == "refinement" and "weekday" not in said:
        raise UsageError("Say the weekday, like `wed 14:00`.", usage)
    if kind == "planning" and ({"weekday", "repeat"} & set(said)):
        raise UsageError(
            "Sprint planning is on each sprint's first working day: give only its time, "
            "like `10:00`.",
            usage,
        )
    return Schedule(
        kind,
        at=said["time"],
        weekday=said.get("weekday"),
        every=said.get("repeat", 1),
        minutes=said.get("length"),
        auto=said.get("auto", False),
    )


def _every(word: str, rest: Iterator[str], usage: str) -> int:
    """After `every`: `week`, `other week`, `2w`, `2 weeks`."""
    if word in ("week", "wk"):
        return 1
    if word == "other":
        next(rest, None)
        return 2
    match = _EVERY.fullmatch(word)
    if match is None or not 1 <= int(match.group(1)) <= MAX_EVERY:
        raise UsageError(f"Say how often in weeks, from `every 1w` to `every {MAX_EVERY}w`.", usage)
    return int(match.group(1))


def _minutes(word: str, usage: str, low: int = MIN_MINUTES, high: int = MAX_MINUTES) -> int:
    match = _LENGTH.fullmatch(word)
    if match is None or not any(match.groups()):
        raise UsageError(f"`{word}` is not a length like `60m` or `1h30m`.", usage)
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if not low <= minutes <= high:
        raise UsageError(f"Give a length from {low} to {high} minutes.", usage)
    return minutes


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
DAY_FORMS = (
    "`next` (the next session), a weekday like `thu` (the next session on it), or a date like "
    "`2026-12-10` or `dec 10`"
)
TO_DAY_FORMS = (
    "a weekday like `tue` (the nearest one to the session's day), or a date like "
    "`2026-12-10` or `dec 10`"
)


@dataclass(frozen=True)
class SessionDay:
    """How someone names a coming session: by its date (`2026-12-10`), by a month and day
    (`dec 10`: the next one), by a weekday (`thu`: the next session on it, on the team's wall
    clock), or as `next` (none of these: the next session)."""

    on: date | None = None
    month_day: tuple[int, int] | None = None
    weekday: str | None = None

    def date_from(self, today: date) -> date | None:
        """The date it names, seen from the team's `today` (a month and day: the next such day,
        today included); None when it names no date (`next`, a weekday)."""
        if self.month_day is None:
            return self.on
        month, day = self.month_day
        for year in range(today.year, today.year + 5):  # 29 Feb comes within four years
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found
        raise ValueError(f"no day {month}-{day}")  # parsing let through only days that exist


@dataclass(frozen=True)
class CalendarRequest:
    """`/timebox calendar [skip|move|lead|feed|rotate ...]`."""

    verb: str  # show | skip | move | lead | feed | rotate
    kind: str | None = None
    day: SessionDay | None = None
    to_day: SessionDay | None = None
    to_at: time | None = None
    lead: int | None = None


def parse_calendar(words: Sequence[str], usage: str) -> CalendarRequest:
    """The words after `/timebox calendar`."""
    if not words:
        return CalendarRequest("show")
    verb, rest = words[0].lower(), [w.lower() for w in words[1:]]
    if verb in ("show", "list") and not rest:
        return CalendarRequest("show")
    if verb in ("feed", "url", "link") and not rest:
        return CalendarRequest("feed")
    if verb == "rotate" and rest in ([], ["feed"]):
        return CalendarRequest("rotate")
    if verb == "lead":
        if len(rest) != 1:
            raise UsageError("Say how long before, like `lead 15m` (or `lead 0`).", usage)
        if rest[0] in ("0", "0m", "off", "none"):
            return CalendarRequest("lead", lead=0)
        return CalendarRequest("lead", lead=_minutes(rest[0], usage, 1, MAX_LEAD))
    if verb in ("skip", "move"):
        kind = KIND_WORDS.get(rest[0]) if rest else None
        rest = rest[1:] if kind else rest
        if verb == "skip":
            return CalendarRequest("skip", kind=kind, day=_session_day(rest, usage, one=True))
        if "to" not in rest:
            raise UsageError("Say where to, like `to 2026-03-05 15:00` or `to 15:00`.", usage)
        split = rest.index("to")
        day = _session_day(rest[:split], usage)
        to_day, to_at = _target(rest[split + 1 :], usage)
        return CalendarRequest("move", kind=kind, day=day, to_day=to_day, to_at=to_at)
    raise UsageError(f"`{words[0]}` is not something the calendar does.", usage)


def _session_day(words: Sequence[str], usage: str, *, one: bool = False) -> SessionDay:
    """The session named by `words` (see SessionDay); what is not one is answered with the
    forms that are. `one`: more than one day named is told to name one at a time."""
    if not words:
        raise UsageError(f"Say which one: {DAY_FORMS}.", usage)
    said = " ".join(words)
    if words[0] == "next" and len(words) <= 2:
        words = words[1:] or ["next"]  # `next thu` is `thu`
    if words == ["next"]:
        return SessionDay()
    if len(words) == 1 and words[0] in _DAY_NAMES:
        return SessionDay(weekday=_DAY_NAMES[words[0]])
    found = _date_named(words)
    if found is not None:
        return found
    if one and len(words) > 1 and _date_named(words[:1]) is not None:
        raise UsageError("Skip one occurrence at a time.", usage)
    raise UsageError(f"`{said}` is not a day I can find: say {DAY_FORMS}.", usage)


def _date_named(words: Sequence[str]) -> SessionDay | None:
    """`2026-12-10`, or a month and day in either order (`dec 10`, `10 december`, `dec 10th`);
    None for anything else, a day the month does not have included."""
    if len(words) == 1:
        try:
            return SessionDay(on=date.fromisoformat(words[0]))
        except ValueError:
            return None
    if len(words) != 2:
        return None
    month_word, day_word = words if words[0] in _MONTHS else words[::-1]
    match = _MONTH_DAY.fullmatch(day_word)
    if month_word not in _MONTHS or match is None:
        return None
    month, day = _MONTHS[month_word], int(match.group(1))
    try:
        date(2000, month, day)  # a leap year: 29 February is a day
    except ValueError:
        return None
    return SessionDay(month_day=(month, day))


def _target(words: Sequence[str], usage: str) -> tuple[SessionDay | None, time | None]:
    """After `to`: a date (`2026-03-05`, `mar 5`), a time (`15:00`), or both."""
    at = [w for w in words if _TIME.fullmatch(w)]
    days = [w for w in words if not _TIME.fullmatch(w)]
    if not words or len(at) > 1 or len(days) > 2:
        raise UsageError("Say where to, like `to 2026-03-05 15:00` or `to 15:00`.", usage)
    to_day = _date_named(days) if days else None
    if len(days) == 1 and days[0] in _DAY_NAMES:
        to_day = SessionDay(weekday=_DAY_NAMES[days[0]])
    if days and to_day is None:
        raise UsageError(
            f"`{' '.join(days)}` is not a day to move it to: say {TO_DAY_FORMS}.", usage
        )
    return to_day, clock_time(at[0], "`15:00`", usage) if at else None


# -- the rule and its occurrences ----------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One time a ceremony takes place. `day` is the day its rule gives it (its identity, also
    after a move); `starts` is when it takes place, in the team's zone."""

    ceremony_id: int
    kind: str
    day: date
    starts: datetime
    minutes: int
    moved: bool = False
    skipped: bool = False

    @property
    def ends(self) -> datetime:
        """Counted in UTC: one over a night the clocks change lasts its real minutes."""
        return (self.utc + timedelta(minutes=self.minutes)).astimezone(self.starts.tzinfo)

    @property
    def utc(self) -> datetime:
        """When it starts, in UTC (what Slack's date formatting takes)."""
        return self.starts.astimezone(UTC)

    @property
    def name(self) -> str:
        return NAMES[self.kind]

    @property
    def ref(self) -> str:
        """What a button names it by: `ceremony id:day`."""
        return f"{self.ceremony_id}:{self.day.isoformat()}"


def clock_of(ceremony: Ceremony) -> time:
    return time.fromisoformat(ceremony.at)


def local(team: Team, day: date, at: time) -> datetime:
    """`at` o'clock on `day` on the team's wall clock, as an aware time."""
    return datetime.combine(day, at, tzinfo=zone(team))


def rule_days(team: Team, ceremony: Ceremony, first: date, last: date) -> Iterator[date]:
    """The days from `first` to `last` that the rule names, before holidays and working days
    are looked at: every n-th weekday from `starts_on`, or each sprint's first day."""
    if ceremony.kind == "planning":
        if team.sprint_start is None:
            return
        step = timedelta(weeks=team.sprint_weeks)
        number = max(0, (first - team.sprint_start) // step)
        day = team.sprint_start + number * step
    else:
        step = timedelta(weeks=ceremony.every_weeks)
        anchor = ceremony.starts_on
        day = anchor + max(0, -(-(first - anchor) // step)) * step
    while day <= last:
        if day >= first:
            yield day
        day += step


def _held_on(team: Team, ceremony: Ceremony, day: date) -> date | None:
    """The day an occurrence takes place: its own for a refinement (none if the team does not
    work then), the sprint's first working day for a planning."""
    if ceremony.kind != "planning":
        return day if is_working_day(team, day) else None
    for offset in range(7 * team.sprint_weeks):
        if is_working_day(team, held := day + timedelta(days=offset)):
            return held
    return None


def occurrence_of(
    team: Team, ceremony: Ceremony, day: date, *, with_skipped: bool = False
) -> Occurrence | None:
    """The occurrence whose identity is `day`, as changed; None if the rule gives none then
    (or it is skipped, unless `with_skipped`)."""
    if next(rule_days(team, ceremony, day, day), None) != day:
        return None
    held = _held_on(team, ceremony, day)
    if held is None:
        return None
    change = (ceremony.changes or {}).get(day.isoformat()) or {}
    if change.get("skip") and not with_skipped:
        return None
    starts = local(team, held, clock_of(ceremony))
    if "to" in change:
        starts = datetime.fromisoformat(change["to"]).replace(tzinfo=zone(team))
    return Occurrence(
        ceremony.id,
        ceremony.kind,
        day,
        starts,
        ceremony.minutes,
        moved="to" in change,
        skipped=bool(change.get("skip")),
    )


def occurrences(
    team: Team,
    ceremony: Ceremony,
    after: datetime,
    until: datetime,
    *,
    with_skipped: bool = False,
) -> list[Occurrence]:
    """The occurrences starting after `after` and by `until`, in order."""
    pad = timedelta(weeks=max(team.sprint_weeks, ceremony.every_weeks) + 1)
    first = (after - pad).astimezone(zone(team)).date()
    last = (until + pad).astimezone(zone(team)).date()
    days = set(rule_days(team, ceremony, first, last))
    days |= {date.fromisoformat(d) for d, c in (ceremony.changes or {}).items() if "to" in c}
    found = [occurrence_of(team, ceremony, day, with_skipped=with_skipped) for day in days]
    return sorted(
        (o for o in found if o is not None and after < o.starts <= until), key=lambda o: o.starts
    )


def next_occurrences(
    team: Team, ceremony: Ceremony, after: datetime, count: int
) -> list[Occurrence]:
    return occurrences(team, ceremony, after, after + LOOK_AHEAD)[:count]


def next_held(
    team: Team,
    ceremony: Ceremony,
    after: datetime,
    count: int,
    recent: Sequence[Sprint] = (),
    today: date | None = None,
) -> list[Occurrence]:
    """The next `count` occurrences after `after` that will be held, as `/timebox calendar`
    lists them: not a skipped one, nor the planning of a sprint committed already (`recent`:
    the team's newest sprints; `today`, on the team's wall clock, `after`'s day if not given:
    see `planned_early`)."""
    today = today or local_today(team, after)
    found = occurrences(team, ceremony, after, after + LOOK_AHEAD)
    return [o for o in found if not planned_early(team, o, recent, today)][:count]


def coming(
    team: Team,
    ceremonies: Sequence[Ceremony],
    now: datetime,
    days: int = SHOWN_DAYS,
    recent: Sequence[Sprint] = (),
) -> list[Occurrence]:
    """What is coming in the next `days` days, skipped ones included, in order; not the
    plannings of sprints committed already (`recent`: the team's newest sprints, see
    `planned_early`)."""
    until = now + timedelta(days=days)
    found = [o for c in ceremonies for o in occurrences(team, c, now, until, with_skipped=True)]
    today = local_today(team, now)
    kept = [o for o in found if not planned_early(team, o, recent, today)]
    return sorted(kept, key=lambda o: (o.starts, o.kind))


def planning_day(team: Team, planning: Ceremony | None, today: date) -> date | None:
    """The day of the team's next sprint planning, on or after `today`: where its scheduled
    occurrence takes place (a moved one on the day it was moved to, a skipped one still
    opening its sprint on its day), else the sprint calendar's next first day (None
    without one)."""
    if planning is None or team.sprint_start is None:
        return next_planning(team, today)
    after = local(team, today, time.min) - timedelta(microseconds=1)
    found = occurrences(team, planning, after, after + LOOK_AHEAD, with_skipped=True)
    return found[0].starts.date() if found else None


def next_sprint_planning(
    team: Team, planning: Ceremony | None, running: Sprint | None, today: date
) -> date | None:
    """The team's next sprint planning still to be held: a running sprint was planned
    already (that morning, maybe), so the next one opens the sprint after it; its scheduled
    occurrence where a move put it, else the sprint calendar's next first day."""
    if planning is None or team.sprint_start is None:
        return next_planning_day(team, running, today)
    after = max(today, running.starts_on + timedelta(days=1)) if running else today
    return planning_day(team, planning, after)


def planned_early(
    team: Team, occurrence: Occurrence, recent: Sequence[Sprint] = (), since: date | None = None
) -> bool:
    """Whether `occurrence` is the planning of a sprint committed already (`recent`: the
    team's newest sprints), ahead of its slot: it is not held again, so no reminder, start or
    listing calls the team to it. `since`: see `planned_sprint`."""
    if occurrence.kind != "planning":
        return False
    opens = planned_sprint(team, occurrence.day, recent, since or occurrence.day)
    committed = max((s.number for s in recent if s.status != "planning"), default=0)
    return opens is not None and opens <= committed


def planned_sprint(
    team: Team, day: date, recent: Sequence[Sprint], since: date | None = None
) -> int | None:
    """The number of the sprint the planning that opens the slot holding `day` plans, which
    reminders, the calendar and its feed name. `recent`: the team's newest sprints (any
    status); `since`: the day plannings are still to come from (today; a reminder's own day).

    A committed sprint whose slot holds the day: its own (held, or committed ahead of its
    slot). Else the sprint being planned: in its slot, or, planned late, in the slot holding
    `since` (it catches up: sprints.catch_up); without one, the sprint after the latest
    committed one, in the first slot after it whose planning is still to come (a slot gone by
    with none held is skipped: the next planning numbers on). Each later slot one more; a
    slot before those none. A team without sprints: the calendar's own number."""
    if team.sprint_start is None or not recent:
        return sprint_number(team, day)
    length = timedelta(weeks=team.sprint_weeks)
    committed = sorted((s for s in recent if s.status != "planning"), key=lambda s: s.number)
    for sprint in committed:  # the oldest first: a day of two sprints' slots is the earlier's
        if day <= sprint.ends_on and (sprint.starts_on <= day or sprint.ends_on - length < day):
            return sprint.number
    planning = max(
        (s for s in recent if s.status == "planning"), key=lambda s: s.number, default=None
    )
    since = since or day
    if planning is not None:
        number = planning.number
        first = max(_slot(team, planning.ends_on), _slot(team, since))
    else:
        number = committed[-1].number + 1
        after = _slot(team, since) + (_slot_start(team, since) < since)  # its planning gone
        # not before the calendar's start: one laid again after the committed sprint (with
        # days in no sprint between them) starts with the next sprint
        first = max(_slot(team, committed[-1].ends_on) + 1, after, 0)
    slot = _slot(team, day)
    return number + slot - first if slot >= first else None


def _slot(team: Team, day: date) -> int:
    """Which slot of the team's sprint calendar holds `day`, counted from its start."""
    assert team.sprint_start is not None
    return (day - team.sprint_start).days // (7 * team.sprint_weeks)


def _slot_start(team: Team, day: date) -> date:
    """The first day of the slot holding `day`."""
    assert team.sprint_start is not None
    return team.sprint_start + timedelta(weeks=team.sprint_weeks * _slot(team, day))


def sprint_number(team: Team, day: date) -> int | None:
    """The number of the sprint `day` falls in, by the team's sprint calendar: counted from
    its start, back too for a calendar laid again after committed sprints (whose start is
    then a later sprint's); None before the first sprint."""
    if team.sprint_start is None:
        return None
    number = _slot(team, day) + team.sprint_start_number
    return number if number >= 1 else None


# -- sprint planning's timebox -------------------------------------------------------------------

PLANNING_PER_WEEK = 120
"""Sprint planning's timebox per sprint week: the Scrum Guide's 8 hours for a one-month sprint."""


def planning_limit(sprint_weeks: int) -> int:
    """The longest a sprint planning may last: 2 hours per sprint week, 8 hours at most."""
    return min(PLANNING_PER_WEEK * sprint_weeks, MAX_MINUTES)


def planning_timebox(sprint_weeks: int) -> str:
    """The team's sprint planning timebox, in words."""
    return (
        f"Sprint planning is timeboxed to at most {planning_limit(sprint_weeks) // 60} h for a "
        f"{sprint_weeks}-week sprint ({PLANNING_PER_WEEK // 60} h per sprint week)"
    )


def require_planning_length(sprint_weeks: int, minutes: int, verb: str = "") -> None:
    """A sprint planning asked to last longer than its timebox is refused, saying what to type
    instead: `/planning {verb}` with the longest length (without a verb, the length alone)."""
    limit = planning_limit(sprint_weeks)
    if minutes > limit:
        hours = f"{limit // 60}h"
        instead = f"type `/planning {verb} {hours}`" if verb else f"give it `{hours}`"
        raise UserError(f"{planning_timebox(sprint_weeks)}: {instead} or less.")


# -- scheduling, skipping and moving -------------------------------------------------------------


def scheduled(
    team: Team, ceremony: Ceremony | None, spec: Schedule, minutes: int, user: str, now: datetime
) -> Ceremony:
    """The team's ceremony of `spec.kind` as `spec` says (a new row, or `ceremony` changed);
    `minutes` is its length (what was said, else its agenda's). A changed rule forgets what was
    done to single occurrences."""
    assert spec.at is not None
    today = local_today(team, now)
    if spec.kind == "planning" and team.sprint_start is None:
        raise UserError(
            "Sprint planning opens each sprint, and this team has no sprint calendar yet: set "
            "the first sprint's start with `/timebox settings start 2026-03-02`."
        )
    if spec.kind == "planning" and spec.minutes:
        require_planning_length(team.sprint_weeks, spec.minutes)
    starts_on = today
    if spec.weekday is not None:
        if spec.weekday not in team.working_days.split(","):
            raise UserError(
                f"`{spec.weekday}` is not one of the team's working days "
                f"({team.working_days.replace(',', ', ')}): pick another day."
            )
        starts_on = today + timedelta(days=(WEEKDAYS.index(spec.weekday) - today.weekday()) % 7)
    at = f"{spec.at:%H:%M}"
    if ceremony is None:
        ceremony = Ceremony(team_id=team.id, kind=spec.kind, changes={})
    same_rule = (ceremony.weekday, ceremony.at, ceremony.every_weeks) == (
        spec.weekday,
        at,
        spec.every,
    )
    if not same_rule:
        ceremony.changes = {}
        ceremony.starts_on = starts_on
    ceremony.weekday, ceremony.at, ceremony.every_weeks = spec.weekday, at, spec.every
    ceremony.minutes, ceremony.auto_start = minutes, spec.auto
    ceremony.created_by, ceremony.updated_at = user, now
    return ceremony


def named(
    team: Team,
    ceremonies: Sequence[Ceremony],
    kind: str | None,
    day: SessionDay,
    now: datetime,
) -> tuple[Ceremony, Occurrence]:
    """The coming occurrence someone names: by the day it takes place (or its own day), or,
    for `next` and a weekday, the first still to take place (on that weekday of the team's
    wall clock)."""
    coming = sorted(
        (
            (c, o)
            for c in ceremonies
            if kind in (None, c.kind)
            for o in occurrences(team, c, now, now + LOOK_AHEAD, with_skipped=True)
        ),
        key=lambda found: found[1].starts,
    )
    what = NAMES[kind].lower() if kind else "ceremony"
    on = day.date_from(local_today(team, now))
    if on is None:
        live = [
            (c, o)
            for c, o in coming
            if not o.skipped and day.weekday in (None, WEEKDAYS[o.starts.weekday()])
        ]
        if not live:
            when = f" on a {_WEEKDAY_NAMES[day.weekday]}" if day.weekday else ""
            raise UserError(f"No {what} is coming{when}: `/timebox calendar` shows what is.")
        if day.weekday is None:
            return live[0]
        on = live[0][1].starts.date()
        found = [(c, o) for c, o in live if o.starts.date() == on]
    else:
        found = [(c, o) for c, o in coming if on in (o.day, o.starts.date())]
    if not found:
        raise UserError(
            f"No {what} is coming on {on:%a %d %b %Y}: `/timebox calendar` shows what is."
        )
    if len({c.kind for c, _ in found}) > 1:
        raise UserError(
            f"Both a refinement and a planning fall on {on:%a %d %b}: say which, like "
            f"`refinement {on.isoformat()}`."
        )
    return found[0]


def skip(ceremony: Ceremony, occurrence: Occurrence, now: datetime) -> None:
    """Leaves one occurrence out; its reminder and start will not come. A moved one keeps its
    new time: it is shown skipped where it was moved to."""
    if occurrence.skipped:
        raise UserError(
            f"The {occurrence.name.lower()} of {occurrence.starts:%a %d %b} is skipped already."
        )
    if occurrence.starts <= now:
        raise UserError("That one has begun already.")
    moved = (ceremony.changes or {}).get(occurrence.day.isoformat()) or {}
    _change(ceremony, occurrence.day, {**moved, "skip": True}, now)  # a move is kept


def target_day(to: SessionDay, occurrence: Occurrence, today: date) -> date:
    """The day `move ... to <day>` names: a date, the next such month and day, or a weekday
    as people say it of a session (`move mon to tue`: the nearest such day to the session's,
    before or after it, the same day for its own weekday)."""
    if to.weekday is None:
        found = to.date_from(today)
        assert found is not None  # `next` is not a target: parsing lets through days only
        return found
    held = occurrence.starts.date()
    ahead = (WEEKDAYS.index(to.weekday) - held.weekday()) % 7
    return held + timedelta(days=ahead if ahead <= 3 else ahead - 7)


@dataclass(frozen=True)
class MoveNotes:
    """What a move did that its answer should say: it lands on a public holiday the team takes
    off (its name) or on a day the team does not work, or it brought a skipped one back."""

    holiday: str | None = None
    day_off: bool = False
    unskipped: bool = False

    def __bool__(self) -> bool:
        return bool(self.holiday or self.day_off or self.unskipped)


def move_notes(team: Team, was: Occurrence, moved: Occurrence) -> MoveNotes:
    """The notes on moving `was` to where `moved` is."""
    day = moved.starts.date()
    holiday = holiday_name(team, day)
    day_off = holiday is None and not is_working_day(team, day)
    return MoveNotes(holiday, day_off, was.skipped)


def move(
    team: Team,
    ceremony: Ceremony,
    occurrence: Occurrence,
    to_day: date | None,
    to_at: time | None,
    now: datetime,
) -> Occurrence:
    """One occurrence to another day or time (on the team's wall clock); a skipped one moved
    comes back."""
    was = occurrence.starts.astimezone(zone(team))
    day, at = to_day or was.date(), to_at or was.time()
    starts = local(team, day, at)
    if starts <= now:
        raise UserError("That time has passed: move it to a time to come.")
    if starts - now > MOVE_WITHIN:
        raise UserError("Move it to a day within a year.")
    if occurrence.starts <= now:
        raise UserError("That one has begun already.")
    _change(ceremony, occurrence.day, {"to": f"{day.isoformat()}T{at:%H:%M}"}, now)
    moved = occurrence_of(team, ceremony, occurrence.day)
    assert moved is not None
    return moved


def _change(ceremony: Ceremony, day: date, change: dict[str, Any], now: datetime) -> None:
    forget = (now - KEEP_CHANGES).date()

    def kept(key: str, old: dict[str, Any]) -> bool:
        return max(date.fromisoformat(key), date.fromisoformat(old.get("to", key)[:10])) >= forget

    changes = {k: v for k, v in (ceremony.changes or {}).items() if kept(k, v)}
    ceremony.changes = {**changes, day.isoformat(): change}


# -- due work ------------------------------------------------------------------------------------


def job_prefix(team_id: int, kind: str, event: str = "") -> str:
    """What the keys of a ceremony's jobs (of one event: remind or start) start with."""
    return f"ceremony:{team_id}:{kind}:" + (f"{event}:" if event else "")


def job_key(team_id: int, occurrence: Occurrence, event: str) -> str:
    """One key per occurrence, event and time: a moved occurrence's is new, so it is reminded
    of again for its new time; otherwise it fires once."""
    return (
        f"{job_prefix(team_id, occurrence.kind, event)}{occurrence.day:%Y%m%d}"
        f"@{occurrence.starts:%Y%m%dT%H%M}"
    )


def job_payload(team_id: int, occurrence: Occurrence) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "kind": occurrence.kind,
        "day": occurrence.day.isoformat(),
        "starts": occurrence.starts.astimezone(UTC).isoformat(),
    }


def remind_at(occurrence: Occurrence, lead: int) -> datetime:
    return occurrence.utc - timedelta(minutes=lead)


def minutes_until(occurrence: Occurrence, now: datetime) -> int:
    """Whole minutes until the occurrence starts, rounded up (a reminder 14½ minutes ahead says
    15, never "in 0 min" before the start); 0 once it has begun."""
    return max(0, math.ceil((occurrence.starts - now).total_seconds() / 60))


@dataclass(frozen=True)
class Verdict:
    """Whether a due reminder or start acts, and what the run did (its outcome)."""

    act: bool
    outcome: str
    occurrence: Occurrence | None = None


def due_verdict(
    team: Team | None,
    ceremony: Ceremony | None,
    payload: dict[str, Any],
    now: datetime,
    event: str,
    recent: Sequence[Sprint] = (),
) -> Verdict:
    """A due reminder (`remind`) or automatic start (`start`), against the calendar as it is
    now: gone, skipped, moved, begun (a reminder) or too late (a start) does nothing; nor
    does the planning of a sprint committed already (`recent`: the team's newest sprints;
    one committed ahead of its slot was planned early)."""
    if team is None or ceremony is None:
        return Verdict(False, "no longer scheduled")
    occurrence = occurrence_of(team, ceremony, date.fromisoformat(payload["day"]))
    if occurrence is None:
        return Verdict(False, "skipped: no longer on the calendar")
    if planned_early(team, occurrence, recent):
        number = planned_sprint(team, occurrence.day, recent)
        return Verdict(False, f"skipped: sprint {number} is committed")
    if occurrence.starts != datetime.fromisoformat(payload["starts"]):
        return Verdict(False, "moved: planned again for its new time")
    if event == "remind":
        if now - occurrence.starts > REMIND_GRACE:
            return Verdict(False, f"skipped: the {occurrence.name.lower()} had begun")
        return Verdict(True, "reminded", occurrence)
    if not ceremony.auto_start:
        return Verdict(False, "auto start is off")
    if now - occurrence.starts > START_GRACE:
        late = int((now - occurrence.starts).total_seconds() // 60)
        return Verdict(False, f"skipped: {late} minutes late")
    return Verdict(True, "started", occurrence)


def start_refusal(occurrence: Occurrence | None, day: date, kind: str, today: date) -> str | None:
    """Why a reminder's Start now for the occurrence of `day` starts nothing today (`today`
    on the team's wall clock): it starts that occurrence only, on the day it is held. None: it
    may start. `occurrence`: that one as the calendar has it now (None: no longer on it)."""
    command = KIND_COMMANDS[kind]
    name = NAMES[kind].lower()
    if occurrence is None:
        return (
            f"The {name} of {day:%a} {day.day} {day:%b} is no longer on the calendar: "
            f"`{command} start` starts one now."
        )
    held = occurrence.starts.date()
    when = f"{held:%a} {held.day} {held:%b}"
    if held < today:
        return (
            f"That {name} session, on {when}, has passed: this reminder starts only that one. "
            f"`{command} start` starts one now."
        )
    if held > today:
        return (
            f"That {name} is on {when} at {occurrence.starts:%H:%M}: this reminder starts it "
            f"on its day. `{command} start` starts one now."
        )
    return None


# -- the feed's secret ---------------------------------------------------------------------------


def feed_hash(token: str) -> str:
    """What is kept of a feed's secret: its SHA-256, never the secret itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def rrule_day(weekday: str) -> str:
    return _RRULE_DAYS[weekday]
