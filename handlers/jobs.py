"""Scheduled work that ends in Slack, wired to the job runner. The daily housekeeping and the
schedules rebuilt when the bot starts (`restore_schedules`) are bot/usecases/housekeeping.py's."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine
from bot.domain import ceremonies, ceremonies_held, poker, reminders
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import backlog as backlog_uc
from bot.usecases import files as files_uc
from bot.usecases import housekeeping as housekeeping_uc
from bot.usecases import meeting_redraw, news, tracker_push, tracker_refusal
from bot.usecases import meetings as meetings_uc
from bot.usecases import planning as planning_uc
from bot.usecases import ready as ready_uc
from bot.usecases import review as review_uc
from bot.usecases import sprints as sprints_uc
from bot.usecases import team as team_uc
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect as connect_uc
from bot.usecases import tracker_unhook as unhook_uc
from handlers import outbox as slack_outbox
from handlers.blocks import backlog as backlog_blocks
from handlers.blocks import connect as connect_blocks
from handlers.blocks import meetings as meeting_blocks
from handlers.blocks import ready as ready_blocks
from handlers.blocks import review as review_blocks
from handlers.blocks import sprints as sprint_blocks
from handlers.blocks import team as team_blocks
from handlers.blocks import tracker_notice
from handlers.flows import calendar as calendar_flow
from handlers.flows import meetings as meeting_flow
from handlers.flows import poker as poker_flow

log = logging.getLogger(__name__)

Job = Callable[[Services, AsyncWebClient, Due], Awaitable[str | None]]


WORDINGS: dict[type, Callable[[Any], news.Worded]] = {
    tracker_uc.Outage: tracker_notice.outage,
    tracker_uc.SprintClosedThere: tracker_notice.sprint_closed,
    tracker_push.SprintCycleTaken: tracker_notice.cycle_taken,
    tracker_refusal.WriteRefused: tracker_notice.write_refused,
    tracker_uc.IssueGone: tracker_notice.issue_gone,
    sprints_uc.ScopeChanged: sprint_blocks.scope_changed,
    sprints_uc.SprintClosed: sprint_blocks.sprint_closed,
    team_uc.TeamSetUp: team_blocks.setup_announcement,
    team_uc.RolesChanged: team_blocks.roles_changed,
    connect_uc.Disconnected: connect_blocks.disconnect_told,
    meetings_uc.Note: meeting_blocks.note,
    meetings_uc.NextTriage: lambda n: meeting_blocks.opened(n.meeting, n.team, [n.card]),
    meetings_uc.Ended: lambda done: meeting_blocks.ended_posts(done.meeting),
    planning_uc.Committed: meeting_blocks.committed_posts,
    planning_uc.PlanNote: sprint_blocks.plan_note,
    review_uc.Verdict: review_blocks.verdict_note,
    review_uc.FollowUp: review_blocks.follow_up_added,
    backlog_uc.FileImported: backlog_blocks.file_imported,
    files_uc.AgendaSaved: meeting_blocks.agenda_saved,
}
"""How each kind of channel news is worded (bot/usecases/news.py), registered by
`register_jobs`."""


class JobClients:
    """The Web API client each job runs with.

    With one bot token it is the app's client; installed into many workspaces, it carries the
    bot token of the workspace that the job's team belongs to. Either way it is a
    `handlers.outbox.DurableClient`, so a crash never loses or doubles the job's posts.
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
        workspace = None
        if self.installations is not None:  # many workspaces: the job's team's
            workspace = await housekeeping_uc.job_workspace(self.services, due)
        try:
            client = await self.for_workspace(workspace)
        except slack_outbox.NotInstalled as gone:  # removed from the workspace: nothing to retry
            return f"skipped: {gone}"
        durable = slack_outbox.DurableClient(client, self.services, due, workspace)
        return await job(self.services, durable, due)

    async def for_workspace(self, workspace: str | None) -> AsyncWebClient:
        if self.installations is None:
            return self.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None or not bot.bot_token:
            raise slack_outbox.NotInstalled(f"Timebox is not installed in workspace {workspace}")
        return AsyncWebClient(
            token=bot.bot_token,
            base_url=self.client.base_url,
            timeout=self.client.timeout,
            logger=self.client.logger,
            retry_handlers=self.client.retry_handlers,
        )


def register_jobs(
    services: Services, client: AsyncWebClient, installations: AsyncInstallationStore | None = None
) -> None:
    clients = JobClients(services, client, installations)
    jobs: dict[str, Job] = {
        reminders.KIND: send_reminder,
        engine.TIMER: meeting_flow.on_timer,
        meetings_uc.OPEN: meeting_flow.on_opening,
        meeting_redraw.REDRAW: meeting_flow.on_redraw,
        poker.KIND_DEADLINE: poker_flow.on_deadline,
        poker.KIND_NUDGE: poker_flow.on_nudge,
        poker.KIND_VOTE: poker_flow.on_vote,
        poker.KIND_SYNC: poker_flow.on_sync,
        ceremonies.REMIND: calendar_flow.on_reminder,
        ceremonies.START: calendar_flow.on_start,
        ceremonies_held.REDRAW: calendar_flow.on_redraw,
    }
    for kind, job in jobs.items():
        services.jobs.handle(kind, partial(clients.run, job))
    services.jobs.handle(
        outbox.KIND, partial(slack_outbox.deliver, services, clients.for_workspace)
    )
    services.jobs.handle(
        housekeeping_uc.HOUSEKEEPING, partial(housekeeping_uc.housekeeping, services)
    )
    services.jobs.handle(unhook_uc.KIND, partial(unhook_uc.run, services))
    for kind_of_news, word in WORDINGS.items():
        news.register_wording(kind_of_news, word)


async def send_reminder(services: Services, client: AsyncWebClient, due: Due) -> str:
    """Today's readiness reminder. The channel's message and each owner's direct message are
    enqueued with the per-day record, in one transaction: a crash anywhere neither loses nor
    doubles them (handlers/outbox.py delivers them, in this same sweep)."""
    return await ready_uc.daily_reminder(services, due, ready_blocks.reminder_posts)
