"""Scheduled work that ends in Slack, and rebuilding schedules when the bot starts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from functools import partial

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine
from bot.domain import ceremonies, poker, reminders
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import ceremony_jobs
from bot.usecases import ready as ready_uc
from handlers import outbox
from handlers.blocks import ready as ready_blocks
from handlers.flows import calendar as calendar_flow
from handlers.flows import meetings as meeting_flow
from handlers.flows import poker as poker_flow
from storage.repositories import Store

log = logging.getLogger(__name__)

Job = Callable[[Services, AsyncWebClient, Due], Awaitable[str | None]]


class JobClients:
    """The Web API client each job runs with.

    With one bot token it is the app's client; installed into many workspaces, it carries the
    bot token of the workspace that the job's team belongs to. Either way it is a
    `outbox.DurableClient`, so a crash never loses or doubles the job's posts.
    """

    def __init__(
        self,
        services: Services,
        client: AsyncWebClient,
        installations: AsyncInstallationStore | None = None,
    ) -> None:
        self.services = services
        self.client = client
        self.installations = installations

    async def run(self, job: Job, due: Due) -> str | None:
        workspace = await self._workspace(due) if self.installations is not None else None
        try:
            client = await self.for_workspace(workspace)
        except outbox.NotInstalled as gone:  # removed from the workspace: nothing to retry
            return f"skipped: {gone}"
        durable = outbox.DurableClient(client, self.services, due, workspace)
        return await job(self.services, durable, due)

    async def for_workspace(self, workspace: str | None) -> AsyncWebClient:
        if self.installations is None:
            return self.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None or not bot.bot_token:
            raise outbox.NotInstalled(f"Timebox is not installed in workspace {workspace}")
        return AsyncWebClient(
            token=bot.bot_token,
            base_url=self.client.base_url,
            timeout=self.client.timeout,
            logger=self.client.logger,
            retry_handlers=self.client.retry_handlers,
        )

    async def _workspace(self, due: Due) -> str | None:
        """The Slack workspace of the team a job is about."""
        payload = due.payload
        if "workspace" in payload:
            return payload["workspace"]
        async with self.services.db.transaction() as store:
            team_id = payload.get("team_id")
            if "meeting" in payload:
                meeting = await store.meeting(int(payload["meeting"]))
                team_id = meeting.team_id if meeting is not None else None
            elif "poll_id" in payload:
                poll = await store.poll(int(payload["poll_id"]))
                team_id = poll.team_id if poll is not None else None
            team = await store.team_by_id(int(team_id)) if team_id is not None else None
        return team.workspace_id if team is not None else None


def register_jobs(
    services: Services, client: AsyncWebClient, installations: AsyncInstallationStore | None = None
) -> None:
    clients = JobClients(services, client, installations)
    jobs: dict[str, Job] = {
        reminders.KIND: send_reminder,
        engine.TIMER: meeting_flow.on_timer,
        poker.KIND_DEADLINE: poker_flow.on_deadline,
        poker.KIND_NUDGE: poker_flow.on_nudge,
        poker.KIND_VOTE: poker_flow.on_vote,
        poker.KIND_SYNC: poker_flow.on_sync,
        ceremonies.REMIND: calendar_flow.on_reminder,
        ceremonies.START: calendar_flow.on_start,
    }
    for kind, job in jobs.items():
        services.jobs.handle(kind, partial(clients.run, job))
    services.jobs.handle(outbox.KIND, partial(outbox.deliver, services, clients.for_workspace))
    services.jobs.handle(HOUSEKEEPING, partial(housekeeping, services))


HOUSEKEEPING = "housekeeping"
KEEP_DELIVERIES = timedelta(days=1)  # Slack retries an event within the hour
KEEP_DONE_JOBS = timedelta(days=7)  # what ran lately, for operators


HOUSEKEEPING_AT = time(3, 0)  # UTC: a quiet hour


async def schedule_housekeeping(store: Store, after: datetime) -> None:
    """The next daily run, at 03:00 UTC; its key names the day, so whichever instance
    schedules it, each day has one."""
    day = after.astimezone(UTC).date()
    if after.astimezone(UTC).time() >= HOUSEKEEPING_AT:
        day += timedelta(days=1)
    when = datetime.combine(day, HOUSEKEEPING_AT, tzinfo=UTC)
    await store.schedule_once(HOUSEKEEPING, f"{HOUSEKEEPING}:{day:%Y%m%d}", when, {})


async def housekeeping(services: Services, due: Due) -> str:
    """Once a day: forgets old delivery keys and work done long ago, so neither table grows
    without end. Each day's run is one job (its key names the day), whichever instance runs it.
    """
    async with services.db.transaction() as store:
        deliveries = await store.forget_deliveries(due.now - KEEP_DELIVERIES)
        done = await store.forget_done(due.now - KEEP_DONE_JOBS)
        await schedule_housekeeping(store, due.now)
    return f"forgot {deliveries} deliveries and {done} finished jobs"


async def restore_schedules(services: Services) -> int:
    """Gives every team with reminders a pending one, e.g. after a crash between two runs, and
    the housekeeping its next run.

    Pending rows survive restarts on their own; one missed during downtime is still pending
    and runs at once, within the grace window.
    """
    now = services.clock.now()
    async with services.db.transaction() as store:
        if not await store.pending(HOUSEKEEPING):
            await schedule_housekeeping(store, now)
        restored = await ready_uc.restore_reminders(store, now)
        return restored + await ceremony_jobs.restore(store, now)


async def send_reminder(services: Services, client: AsyncWebClient, due: Due) -> str:
    """Today's readiness reminder. The channel's message and each owner's direct message are
    enqueued with the per-day record, in one transaction: a crash anywhere neither loses nor
    doubles them (handlers/outbox.py delivers them, in this same sweep)."""
    return await ready_uc.daily_reminder(services, due, ready_blocks.reminder_posts, outbox.enqueue)
