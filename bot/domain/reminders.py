"""Daily readiness reminders: when they are due, whether one is owed, and what it says.

A reminder exists to get unready items near the top fixed before sprint planning, so it is
sent only when something in the planning horizon is unready, louder in the last two working
days before planning, and never twice on one day.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain import backlog
from bot.domain.calendar import (
    RemindAt,
    local_today,
    next_planning,
    next_reminder,
    working_days_between,
)
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, Horizon, horizon
from storage.models import BacklogItem, Team
from storage.repositories import Store

log = logging.getLogger(__name__)

KIND = "readiness_reminder"
GRACE = timedelta(hours=1)
URGENT_WORKING_DAYS = 2


def job_key(team: Team, due_at: datetime) -> str:
    return f"reminder:{team.id}:{due_at:%Y%m%dT%H%M}"


async def team_horizon(store: Store, team: Team, now: datetime) -> Horizon:
    ordered = await store.all_items(team.id, include_closed=False)
    # Velocity arrives with sprint records; until then the horizon is the top N items.
    return horizon(ordered, DefinitionOfReady.of(team), None, local_today(team, now))


async def schedule_next(
    store: Store, team: Team, after: datetime, *, running: str | None = None
) -> datetime | None:
    """Replaces the team's pending reminder with the next one after `after`.

    `running` is the key of the reminder job calling this, which must not cancel itself.
    """
    await store.cancel_prefix(f"reminder:{team.id}:", keep=running)
    due = next_reminder(team, after)
    ran = await store.scheduled(job_key(team, due)) if due is not None else None
    if ran is not None and ran.done_at is not None:  # ran already (skipped while uninstalled)
        due = next_reminder(team, ran.due_at)
    if due is not None:
        await store.schedule(KIND, job_key(team, due), due, {"team_id": team.id})
    return due


async def set_reminder(
    store: Store, team: Team, remind: RemindAt | None, now: datetime
) -> datetime | None:
    if remind is None:
        team.remind_at = None
    else:
        team.remind_at = f"{remind.at:%H:%M}"
        if remind.days:
            team.remind_days = ",".join(remind.days)
    return await schedule_next(store, team, now)


async def snooze(store: Store, team: Team, number: int, days: int, now: datetime) -> BacklogItem:
    if not 1 <= days <= 90:
        raise UserError("Snooze for 1 to 90 days.")
    item = await backlog.get_item(store, team, number)
    item.snoozed_until = local_today(team, now) + timedelta(days=days)
    return item


@dataclass
class ReminderPlan:
    """What today's reminder says, to the channel and to each item owner."""

    team: Team
    day: date
    horizon: Horizon
    planning: date | None
    urgent: bool
    by_owner: dict[str, list[tuple[BacklogItem, list[str]]]] = field(default_factory=dict)


async def plan_reminder(store: Store, team: Team, now: datetime) -> ReminderPlan | None:
    """Today's reminder, or None when nothing in the horizon is unready (no empty nags)."""
    current = await team_horizon(store, team, now)
    if not current.unready:
        return None
    today = local_today(team, now)
    planning = next_planning(team, today)
    urgent = (
        planning is not None and working_days_between(team, today, planning) <= URGENT_WORKING_DAYS
    )
    by_owner: dict[str, list[tuple[BacklogItem, list[str]]]] = defaultdict(list)
    for item, item_gaps in current.unready:
        if item.owner:
            by_owner[item.owner].append((item, item_gaps))
    return ReminderPlan(team, today, current, planning, urgent, dict(by_owner))
