"""The due work of a team's ceremonies: each one's next reminder (and, with auto start, its
starts), the redraw of a reminder whose meeting began, and the daily readiness reminder, as
rows that fire once, planned again whenever what decides their times changes (the rule, the
lead, the team's time zone, working days, holidays or sprint calendar).

Apart from bot.usecases.calendar so that the team's settings (bot.usecases.team) can re-plan
without importing the calendar's use cases, which import the team's.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import ceremonies as rules
from bot.domain import ceremonies_held as held_rules
from bot.domain import reminders
from bot.domain.calendar import local_today, next_reminder
from bot.domain.ceremonies import Occurrence
from storage.models import Ceremony, Meeting, Team
from storage.repositories import Store

# Settings that move a ceremony's occurrences (bot.domain.teams.apply_setting's names).
CALENDAR_SETTINGS = frozenset({"timezone", "days", "start", "country", "sprint"})


async def plan(
    store: Store,
    team: Team,
    ceremony: Ceremony,
    lead: int,
    now: datetime,
    *,
    running: str | None = None,
    starts: bool = True,
) -> Occurrence | None:
    """The next reminder not sent yet as due work (and, with auto start, the start of each
    occurrence until then); returns its occurrence. Pending reminders are replaced (but
    `running`, the job calling this); `starts`: pending starts too (the rule changed)."""
    await store.cancel_prefix(rules.job_prefix(team.id, ceremony.kind, "remind"), keep=running)
    if starts:
        await store.cancel_prefix(rules.job_prefix(team.id, ceremony.kind, "start"))
    for occurrence in rules.next_occurrences(team, ceremony, now, 6):
        payload = rules.job_payload(team.id, occurrence)
        key = rules.job_key(team.id, occurrence, "remind")
        due = rules.remind_at(occurrence, lead)
        planned = key != running and await store.schedule_once(rules.REMIND, key, due, payload)
        if ceremony.auto_start:
            key = rules.job_key(team.id, occurrence, "start")
            await store.schedule_once(rules.START, key, occurrence.starts, payload)
        if planned:
            return occurrence
    return None


async def cancel(store: Store, team: Team, kind: str) -> None:
    await store.cancel_prefix(rules.job_prefix(team.id, kind))


async def lead(store: Store, team_id: int) -> int:
    kept = await store.team_calendar(team_id)
    return kept.lead_minutes if kept is not None else rules.DEFAULT_LEAD


async def restore(store: Store, now: datetime) -> int:
    """Gives every ceremony without a pending reminder its next one (after a crash between a
    reminder and the planning of the next, say); how many it gave one."""
    pending = {
        (j.payload.get("team_id"), j.payload.get("kind")) for j in await store.pending(rules.REMIND)
    }
    restored = 0
    for team, ceremony in await store.scheduled_ceremonies():
        if (team.id, ceremony.kind) not in pending:
            await plan(store, team, ceremony, await lead(store, team.id), now, starts=False)
            restored += 1
    return restored


async def replan(store: Store, team: Team, now: datetime) -> int:
    """Every ceremony of the team planned again from now (its pending reminders and starts
    replaced), after a setting that moves them changed; how many. The daily readiness
    reminder too: due at its time in the new zone, not the old one."""
    if reminders.is_on(team):
        await schedule_reminder(store, team, now)
    scheduled = await store.ceremonies(team.id)
    if scheduled:
        minutes = await lead(store, team.id)
        for ceremony in scheduled:
            await plan(store, team, ceremony, minutes, now)
    return len(scheduled)


async def schedule_reminder(
    store: Store, team: Team, after: datetime, *, running: str | None = None
) -> datetime | None:
    """Replaces the team's pending readiness reminder with the next one after `after`.

    `running` is the key of the reminder job calling this, which must not cancel itself.
    """
    await store.cancel_prefix(reminders.job_prefix(team), keep=running)
    due = next_reminder(team, after)
    ran = await store.scheduled(reminders.job_key(team, due)) if due is not None else None
    if ran is not None and ran.done_at is not None:  # ran already (skipped while uninstalled)
        due = next_reminder(team, ran.due_at)
    if due is not None:
        await store.schedule(
            reminders.KIND, reminders.job_key(team, due), due, {"team_id": team.id}
        )
    return due


async def redraw_on_start(
    store: Store, team: Team, meeting: Meeting, request: str | None, now: datetime
) -> str | None:
    """A meeting just started (in the caller's transaction, the start's): the reminder of
    that day's occurrence of its kind, if there is one, is to be redrawn saying who started it
    (begun by itself: who facilitates). Its job's key; None when no occurrence is that day."""
    ceremony = await store.ceremony(team.id, meeting.kind)
    occurrence = held_rules.held_on(team, ceremony, local_today(team, now)) if ceremony else None
    if occurrence is None:
        return None
    by_itself = held_rules.began_by_itself(team.id, occurrence, request)
    return await record_redraw(
        store, team, held_rules.Redrawing(occurrence, meeting, None, by_itself), now
    )


async def record_redraw(
    store: Store, team: Team, redrawing: held_rules.Redrawing, now: datetime
) -> str:
    """A reminder's redraw as due work, in the caller's transaction (once per key: see
    `held_rules.redraw_key`); its key."""
    key = redrawing.key(team.id)
    due = now + held_rules.REDRAW_AFTER
    await store.schedule_once(held_rules.REDRAW, key, due, redrawing.payload(team))
    return key
