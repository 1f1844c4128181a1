"""A team's calendar: working days, public holidays, the sprint rhythm and reminder times.

Times are computed in the team's time zone and stored in UTC. APScheduler's CronTrigger finds
the next local wall-clock time (it handles daylight saving), and the `holidays` package knows
each country's public holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.domain.errors import UsageError, UserError
from storage.models import Team

if TYPE_CHECKING:  # loaded when a team first asks about holidays (30 ms less at start)
    import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REMIND_USAGE = "/ready remind at 09:30 [mon-fri] | /ready remind off"
DEFAULT_ZONE = "UTC"  # a team's time zone until it has one


def zone_name(team: Team) -> str:
    """The name of the team's time zone: its own, else `DEFAULT_ZONE`."""
    return team.timezone or DEFAULT_ZONE


def zone(team: Team) -> ZoneInfo:
    return ZoneInfo(zone_name(team))


def local_today(team: Team, now: datetime) -> date:
    return now.astimezone(zone(team)).date()


def utc_clock(name: str, day: date, at: time) -> time:
    """The time in UTC that `at` o'clock on `day` is in the time zone `name`."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(name)).astimezone(UTC).time()


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    import holidays

    return holidays.country_holidays(country, years=year)


def parse_country(text: str) -> str:
    """A country whose public holidays the team takes off, by its code; "" for none (`none`,
    or nothing: the settings form's field left empty)."""
    code = text.strip().upper()
    if code in ("", "NONE", "OFF", "-"):
        return ""
    import holidays

    if code not in holidays.list_supported_countries():
        raise UserError(
            f"`{text.strip()}` is not a country code I know holidays for: use two letters "
            "such as `DE`, `US`, `FR` or `IN`, or `none`."
        )
    return code


def is_holiday(team: Team, day: date) -> bool:
    return bool(team.holiday_country) and day in _holidays(team.holiday_country, day.year)


def holiday_name(team: Team, day: date) -> str | None:
    """The public holiday the team takes off on `day` (its name), or None."""
    if not team.holiday_country:
        return None
    return _holidays(team.holiday_country, day.year).get(day)


def is_working_day(team: Team, day: date) -> bool:
    return WEEKDAYS[day.weekday()] in working_days(team) and not is_holiday(team, day)


def last_working_day(team: Team, first: date, last: date) -> date:
    """The last working day from `first` to `last` (a sprint's slot): where a sprint is shown
    to end, as a slot may end on a weekend; `last` itself when the team works none of them."""
    days = (last - timedelta(days=n) for n in range((last - first).days + 1))
    return next((day for day in days if is_working_day(team, day)), last)


def next_planning(team: Team, today: date) -> date | None:
    """The next sprint planning on or after `today`: the first day of a sprint."""
    if team.sprint_start is None:
        return None
    length = timedelta(weeks=team.sprint_weeks)
    if today <= team.sprint_start:
        return team.sprint_start
    sprints = -(-(today - team.sprint_start).days // length.days)
    return team.sprint_start + sprints * length


def move_window(team: Team, kind: str, day: date, every_weeks: int) -> tuple[date, date]:
    """The first and last day a session its rule gives on `day` may be moved to, near it as
    people mean a move: a planning within the sprint it opens (`day` is its first working day;
    before it, it would fall in the sprint before, still running), to its slot's last day (not
    `day`'s sprint length on: after a holiday that reaches into the next sprint), a refinement
    after the one before it and before the next one by its rule (`every_weeks` apart)."""
    if kind == "planning":
        following = next_planning(team, day + timedelta(days=1))
        if following is None:  # no sprint calendar: a sprint's length from `day`
            return day, day + timedelta(weeks=team.sprint_weeks, days=-1)
        return day, following - timedelta(days=1)
    step = timedelta(weeks=every_weeks)
    return day - step + timedelta(days=1), day + step - timedelta(days=1)


def check_move(team: Team, kind: str, day: date, every_weeks: int, to: date, at: time) -> None:
    """Refuses a move of the session its rule gives on `day` to a day outside its
    `move_window`, saying which days it may move to and what to type."""
    first, last = move_window(team, kind, day, every_weeks)
    if first <= to <= last:
        return
    name = ("planning " if kind == "planning" else "") + _month_day(day)
    typed = f"`/timebox calendar move {name} to {_month_day(day + timedelta(days=1))} {at:%H:%M}`"
    span = f"from {first:%a} {first.day} {first:%b} to {last:%a} {last.day} {last:%b %Y}"
    why = "A refinement moves to a day between the one before it and the next one."
    if kind == "planning":
        opens = f"This sprint planning opens the sprint starting {day:%a} {day.day} {day:%b}"
        after = "it cannot come after that sprint has ended."
        why = f"{opens}: " + (
            "before it, it would fall in the sprint before, still running." if to < first else after
        )
    raise UserError(f"{why} Move it to a day {span}, like {typed}.")


def _month_day(day: date) -> str:
    """`mar 12`: a day as `/timebox calendar` takes it."""
    return f"{day:%b} {day.day}".lower()


def working_days_between(team: Team, start: date, end: date) -> int:
    """Working days d with start <= d < end."""
    return sum(is_working_day(team, start + timedelta(days=n)) for n in range((end - start).days))


# -- reminders -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindAt:
    at: time
    days: tuple[str, ...]


def parse_remind(words: list[str]) -> RemindAt | None:
    """`at 09:30 [mon-fri]` (days default to the team's working days) or `off` (None)."""
    if words == ["off"]:
        return None
    if words and words[0] == "at":
        words = words[1:]
    if not words:
        raise UsageError("Say when: a time like `09:30`.", REMIND_USAGE)
    at = clock_time(words[0].lower(), "`09:30` or `9am`", REMIND_USAGE)
    days = tuple(parse_working_days(" ".join(words[1:]))) if words[1:] else ()
    return RemindAt(at, days)


def clock_time(word: str, examples: str, usage: str) -> time:
    """`17:00`, `9:05`, `5pm`, `12am` (lower case) as a time of day; anything else is refused
    with a UsageError naming the `examples` and the command's `usage`."""
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", word)
    if match is None:
        raise UsageError(f"`{word}` is not a time like {examples}.", usage)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    elif match.group(3) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise UsageError(f"`{word}` is not a time of day.", usage)
    return time(hour, minute)


def reminder_days(team: Team) -> list[str]:
    return [d for d in team.remind_days.split(",") if d] or working_days(team)


def reminder_days_worked(team: Team) -> list[str]:
    """The reminder's days the team works: the days it comes (the others are kept, so a team
    that works them again gets them back)."""
    works = working_days(team)
    return [day for day in reminder_days(team) if day in works]


def next_reminder(team: Team, after: datetime) -> datetime | None:
    """The next reminder strictly after `after`, on a reminder day the team works that is not
    a holiday; None when it works none of the reminder's days."""
    days = reminder_days_worked(team)
    if team.remind_at is None or not days:
        return None
    hour, minute = (int(part) for part in team.remind_at.split(":"))
    trigger = CronTrigger(day_of_week=",".join(days), hour=hour, minute=minute, timezone=zone(team))
    fire = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    for _ in range(400):  # a year of holidays at most
        if fire is None or not is_holiday(team, fire.date()):
            break
        fire = trigger.get_next_fire_time(fire, fire + timedelta(minutes=1))
    return fire.astimezone(UTC) if fire else None


def parse_working_days(text: str) -> list[str]:
    """`mon-fri`, `sun-thu` or `mon,tue,thu` into weekday names in week order."""
    days: set[str] = set()
    for part in re.split(r"[\s,]+", text.strip().lower()):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2 or any(e[:3] not in WEEKDAYS for e in ends):
            raise UserError(
                f"`{part}` is not a weekday or range: use e.g. `mon-fri` or `mon,tue,thu`."
            )
        start, end = WEEKDAYS.index(ends[0][:3]), WEEKDAYS.index(ends[-1][:3])
        span = (end - start) % 7
        days.update(WEEKDAYS[(start + i) % 7] for i in range(span + 1))
    if not days:
        raise UserError("Name at least one working day, e.g. `mon-fri`.")
    return [d for d in WEEKDAYS if d in days]


def parse_date(text: str, today: date | None = None) -> date:
    """A date typed as YYYY-MM-DD; what is not one is answered with the format, and `today`
    (when given) as an example of it."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        example = f", e.g. `{today.isoformat()}` for today" if today else ""
        raise UserError(
            f"`{text.strip()}` is not a date: give it as YYYY-MM-DD{example}."
        ) from None


def working_days(team: Team) -> list[str]:
    return [d for d in team.working_days.split(",") if d]
