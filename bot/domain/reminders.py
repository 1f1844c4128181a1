"""Daily readiness reminders: when they are due, whether one is owed, and what it says.

A reminder exists to get unready items near the top fixed before sprint planning, so it is
sent only when something in the planning horizon is unready, louder in the last two working
days before planning, and never twice on one local day, in the zone the team has now (the last
one may have come in another). A run that comes more than GRACE late (the bot was down) is
skipped: the next one comes as usual. It comes only on the days it was given that the team
works: never on a day off or a public holiday, whatever days were typed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain.calendar import (
    RemindAt,
    holiday_name,
    is_working_day,
    local_today,
    reminder_days,
    reminder_days_worked,
    working_days_between,
)
from bot.domain.ceremonies import next_sprint_planning
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, Horizon, horizon
from storage.models import BacklogItem, Ceremony, Reminder, Sprint, Team

KIND = "readiness_reminder"
GRACE = timedelta(hours=1)
URGENT_WORKING_DAYS = 2


def job_key(team: Team, due_at: datetime) -> str:
    return f"reminder:{team.id}:{due_at:%Y%m%dT%H%M}"


def job_prefix(team: Team) -> str:
    """What the keys of every reminder job of the team start with."""
    return f"reminder:{team.id}:"


def team_horizon(
    team: Team, ordered: Sequence[BacklogItem], now: datetime, velocity: float | None = None
) -> Horizon:
    """The top of the team's open backlog (`ordered`, in backlog order) and how ready it is:
    two sprints of the team's `velocity` (from its closed sprints), the top N items until
    there is one."""
    return horizon(ordered, DefinitionOfReady.of(team), velocity, local_today(team, now))


def is_on(team: Team | None) -> bool:
    return team is not None and team.remind_at is not None


def apply_remind(team: Team, remind: RemindAt | None) -> None:
    """`/ready remind at 09:30 [days]` (the days stay as they were when none are named), or
    `off` (None)."""
    if remind is None:
        team.remind_at = None
        return
    team.remind_at = f"{remind.at:%H:%M}"
    if remind.days:
        team.remind_days = ",".join(remind.days)


@dataclass(frozen=True)
class ReminderDays:
    """The weekdays the reminder comes (its days the team works) and those it was given that
    the team does not work, which it skips (both in week order)."""

    comes: list[str]
    off: list[str]


def days_of(team: Team) -> ReminderDays:
    """The reminder's days against the team's working days, as they are now: the days typed
    are kept, so a team that works them again gets them back."""
    comes = reminder_days_worked(team)
    return ReminderDays(comes, [d for d in reminder_days(team) if d not in comes])


def snooze_until(team: Team, days: int, now: datetime) -> date:
    """The day a snoozed item comes back into reminders (in the team's time zone)."""
    if not 1 <= days <= 90:
        raise UserError("Snooze for 1 to 90 days.")
    return local_today(team, now) + timedelta(days=days)


def resume_after(due_at: datetime, now: datetime) -> datetime:
    """Where a run looks for the next slot: after its own; after a long outage, after the
    oldest slot still within the grace window (which is then due at once)."""
    return max(due_at, now - GRACE)


@dataclass
class ReminderPlan:
    """What today's reminder says, to the channel and to each item owner."""

    team: Team
    day: date
    horizon: Horizon
    planning: date | None
    urgent: bool
    by_owner: dict[str, list[tuple[BacklogItem, list[str]]]] = field(default_factory=dict)


def plan_reminder(
    team: Team,
    ordered: Sequence[BacklogItem],
    now: datetime,
    velocity: float | None = None,
    planning_ceremony: Ceremony | None = None,
    running: Sprint | None = None,
) -> ReminderPlan | None:
    """Today's reminder, or None when nothing in the horizon is unready (no empty nags). The
    planning it counts down to is the scheduled one (`planning_ceremony`), moves included,
    still to be held: with a `running` sprint (committed, that morning maybe), the one after."""
    current = team_horizon(team, ordered, now, velocity)
    if not current.unready:
        return None
    today = local_today(team, now)
    planning = next_sprint_planning(team, planning_ceremony, running, today)
    urgent = (
        planning is not None and working_days_between(team, today, planning) <= URGENT_WORKING_DAYS
    )
    by_owner: dict[str, list[tuple[BacklogItem, list[str]]]] = defaultdict(list)
    for item, item_gaps in current.unready:
        if item.owner:
            by_owner[item.owner].append((item, item_gaps))
    return ReminderPlan(team, today, current, planning, urgent, dict(by_owner))


def sent_on(team: Team, last: Reminder | None, day: date) -> bool:
    """Whether the team's `last` reminder was its local `day`'s (or a later one's) in the zone
    it has now, so a change of zone neither doubles a day's reminder nor drops the next day's
    (Tuesday in Tokyo is Monday afternoon in Los Angeles): a reminder is its due time's day,
    however late it was sent. One kept before due times were: its date (the zone's of then)."""
    if last is None:
        return False
    if last.due_at is None:
        return last.day >= day
    return local_today(team, last.due_at) >= day


@dataclass(frozen=True)
class Verdict:
    """Whether a reminder run sends today's reminder, and what the run did (its outcome)."""

    send: bool
    outcome: str
    late: bool = False


def verdict(
    team: Team | None,
    late: timedelta,
    plan: ReminderPlan | None,
    sent_today: bool,
    due_at: datetime,
) -> Verdict:
    """A reminder run's rules, in order: reminders off; due (`due_at`) on a day the team does
    not work, as a run planned before its days changed may be; too late (beyond the grace
    window); nothing unready; one sent already this local day; else send."""
    if team is None or not is_on(team):
        return Verdict(False, "reminders are off")
    day = local_today(team, due_at)
    if not is_working_day(team, day):
        holiday = holiday_name(team, day)
        why = f"{holiday}, a public holiday" if holiday else f"the team does not work on {day:%A}"
        return Verdict(False, f"skipped: {why}")
    if late > GRACE:
        return Verdict(False, f"skipped: {int(late.total_seconds() // 60)} minutes late", True)
    if plan is None:
        return Verdict(False, "nothing unready")
    if sent_today:
        return Verdict(False, "already sent today")
    return Verdict(
        True, f"sent: {len(plan.horizon.unready)} unready, {len(plan.by_owner)} direct messages"
    )
