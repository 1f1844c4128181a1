"""The bot's own upkeep, with no person acting: which workspace a due job is about, the daily
housekeeping that keeps its tables from growing without end, and every schedule given its
pending row again when the bot starts. handlers/jobs.py only wires them to the job runner."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import ceremony_jobs
from bot.usecases import ready as ready_uc
from storage.repositories import Store

HOUSEKEEPING = "housekeeping"
KEEP_DELIVERIES = timedelta(days=1)  # Slack retries an event within the hour
KEEP_DONE_JOBS = timedelta(days=7)  # what ran lately, for operators
HOUSEKEEPING_AT = time(3, 0)  # UTC: a quiet hour


async def job_workspace(svc: Services, due: Due) -> str | None:
    """The Slack workspace of the team a job is about: the one its payload names, else the
    team's (the payload names the team, its meeting or its poll); None when it is gone."""
    payload = due.payload
    if "workspace" in payload:
        return payload["workspace"]
    async with svc.db.transaction() as store:
        team_id = payload.get("team_id")
        if "meeting" in payload:
            meeting = await store.meeting(int(payload["meeting"]))
            team_id = meeting.team_id if meeting is not None else None
        elif "poll_id" in payload:
            poll = await store.poll(int(payload["poll_id"]))
            team_id = poll.team_id if poll is not None else None
        team = await store.team_by_id(int(team_id)) if team_id is not None else None
    return team.workspace_id if team is not None else None


def next_run(after: datetime) -> tuple[str, datetime]:
    """The key and time of the next daily run after `after`, at 03:00 UTC: the key names the
    day, so whichever instance schedules it, each day has one."""
    day = after.astimezone(UTC).date()
    if after.astimezone(UTC).time() >= HOUSEKEEPING_AT:
        day += timedelta(days=1)
    return f"{HOUSEKEEPING}:{day:%Y%m%d}", datetime.combine(day, HOUSEKEEPING_AT, tzinfo=UTC)


async def schedule_housekeeping(store: Store, after: datetime) -> None:
    """The next daily run, in the caller's transaction."""
    key, when = next_run(after)
    await store.schedule_once(HOUSEKEEPING, key, when, {})


async def housekeeping(svc: Services, due: Due) -> str:
    """Once a day: forgets old delivery keys and work done long ago, so neither table grows
    without end. Each day's run is one job (its key names the day), whichever instance runs it.
    """
    async with svc.db.transaction() as store:
        deliveries = await store.forget_deliveries(due.now - KEEP_DELIVERIES)
        done = await store.forget_done(due.now - KEEP_DONE_JOBS)
        await schedule_housekeeping(store, due.now)
    return f"forgot {deliveries} deliveries and {done} finished jobs"


async def restore_schedules(svc: Services) -> int:
    """Gives every team with reminders a pending one, and every scheduled ceremony its next
    reminder, e.g. after a crash between two runs, and the housekeeping its next run; how many
    reminders it gave.

    Pending rows survive restarts on their own; one missed during downtime is still pending
    and runs at once, within the grace window.
    """
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        if not await store.pending(HOUSEKEEPING):
            await schedule_housekeeping(store, now)
        restored = await ready_uc.restore_reminders(store, now)
        return restored + await ceremony_jobs.restore(store, now)
