"""Scheduled work that ends in Slack, and rebuilding schedules when the bot starts."""

from __future__ import annotations

import logging
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine
from bot import poker, reminders
from bot.readiness import DefinitionOfReady
from bot.scheduling import Due
from bot.services import Services
from bot.teams import Roles
from handlers import blocks, meeting_blocks, meeting_flow, poker_flow

log = logging.getLogger(__name__)


def register_jobs(services: Services, client: AsyncWebClient) -> None:
    services.jobs.handle(reminders.KIND, partial(send_reminder, services, client))
    services.jobs.handle(engine.TIMER, partial(meeting_timer, services, client))
    services.jobs.handle(poker.KIND_DEADLINE, partial(poker_flow.on_deadline, services, client))
    services.jobs.handle(poker.KIND_NUDGE, partial(poker_flow.on_nudge, services, client))


async def restore_schedules(services: Services) -> int:
    """Gives every team with reminders a pending one, e.g. after a crash between two runs.

    Pending rows survive restarts on their own; one missed during downtime is still pending
    and runs at once, within the grace window.
    """
    now = services.clock.now()
    restored = 0
    async with services.db.transaction() as store:
        pending = {job.payload.get("team_id") for job in await store.pending(reminders.KIND)}
        for team in await store.teams_with_reminders():
            if team.id not in pending:
                await reminders.schedule_next(store, team, now - reminders.GRACE)
                restored += 1
    return restored


async def send_reminder(services: Services, client: AsyncWebClient, due: Due) -> str:
    async with services.db.transaction() as store:
        team = await store.team_by_id(due.payload["team_id"])
        if team is None or team.remind_at is None:
            return "reminders are off"
        # The next slot after this one; after a long outage, today's slot if it is still
        # within the grace window.
        after = max(due.due_at, due.now - reminders.GRACE)
        await reminders.schedule_next(store, team, after, running=due.key)
        if due.late > reminders.GRACE:
            log.warning(
                "skipping the readiness reminder of %s due %s: %s late (grace %s)",
                team.channel_id,
                due.due_at.isoformat(),
                due.late,
                reminders.GRACE,
            )
            return f"skipped: {int(due.late.total_seconds() // 60)} minutes late"
        plan = await reminders.plan_reminder(store, team, due.now)
        if plan is None:
            return "nothing unready"
        if not await store.record_reminder(team, plan.day, due.now, len(plan.horizon.unready)):
            return "already sent today"
        po = Roles.of(team).po
        planning_text = (
            f"{plan.planning:%A %d %B}" if plan.planning is not None else "not scheduled"
        )
        channel_message = blocks.reminder_message(plan, po, planning_text)
        dor = DefinitionOfReady.of(team)
        direct = {
            owner: blocks.owner_reminder(team.channel_id, rows, dor)
            for owner, rows in plan.by_owner.items()
        }
    try:
        await client.chat_postMessage(channel=team.channel_id, **channel_message)
    except Exception:
        async with services.db.transaction() as store:  # not delivered: let the retry send it
            await store.forget_reminder(team, plan.day)
        raise
    for owner, payload in direct.items():
        try:
            await client.chat_postMessage(channel=owner, **payload)
        except Exception:
            log.exception("could not send %s their readiness reminder", owner)
    return f"sent: {len(plan.horizon.unready)} unready, {len(direct)} direct messages"


async def meeting_timer(services: Services, client: AsyncWebClient, due: Due) -> str:
    """A section's warning or time-up; a section that ended during downtime is announced once."""
    async with services.db.transaction() as store:
        meeting = await store.meeting(due.payload["meeting"])
        timer = engine.fired(meeting, due.payload)
        if timer is None or meeting is None:
            return "no longer applies"
        team = await store.team_by_id(meeting.team_id)
        left = engine.time_left(meeting, due.now)
        if timer.event == "warn" and left.total_seconds() <= 0:
            return "warning skipped: the section is over"
        step = None
        if timer.event == "up" and meeting.auto_advance:
            await engine.advance(store, meeting, due.now, timer.section)
            step = meeting_flow.Step(meeting, team, moved=True, ended=meeting.status == "ended")
            if step.ended:
                meeting.minutes = await meeting_flow.minutes_of(store, team, meeting)
    if step is not None:
        await meeting_flow.announce(services, client, step)
        return "time up: moved on"
    if timer.event == "warn":
        minutes = max(1, round(left.total_seconds() / 60))
        await meeting_flow.post(client, team, meeting, meeting_blocks.warning(meeting, minutes))
    else:
        await meeting_flow.post(client, team, meeting, meeting_blocks.time_up(meeting))
    await meeting_flow.refresh(client, team, meeting, due.now)
    return timer.event
