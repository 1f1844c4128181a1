"""The Slack side of sprint planning: the plan's changes in the meeting thread, its forms, and
the commitment that records the sprint and ends the meeting.

The channel hears only what the team needs: while a planning meeting runs, a change is one
short line in its thread, and the cards that show where the plan stands (capacity, the task
breakdown, the commitment) are updated in place, never posted again. Without a running
planning meeting (or once the sprint is committed), a change is the asker's private answer.

It builds on the generic meeting flow (the thread, the ended meeting); that one never needs
this module: what a planning section opens is the planning meeting kind's to say.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agendas import planning as plan
from bot.usecases import planning
from bot.usecases.tasks import TaskCard
from handlers import outbox as slack_outbox
from handlers.blocks import meetings as meeting_blocks
from handlers.blocks import sprints as sprint_blocks
from handlers.common import open_form
from handlers.flows import meetings as meeting_flow
from handlers.names import name
from storage.models import Meeting, Team

log = logging.getLogger(__name__)


async def plan_changed(asked: meeting_flow.Asked, changed: planning.PlanChanged) -> None:
    """The change in the planning meeting's thread, with its cards brought up to date; a
    capacity change shows on its card alone. Without a running planning meeting, the asker
    hears of it privately (where the plan stands too, while it is planned). Which of these is
    the use case's to say (`PlanChanged.announce`)."""
    meeting, team, announce = changed.meeting, changed.team, changed.announce
    if announce == "asker":
        await asked.answer(meeting_blocks.plan_changed(changed))
    elif announce == "note" or meeting is None:
        await asked.answer(sprint_blocks.plan_note(changed.note))
    else:  # in the meeting's thread: a line (not for capacity: recorded), and its cards
        await slack_outbox.send_all(asked.svc, asked.client, changed.posts)
        await refresh_cards(asked.client, team, meeting, changed.state)


async def refresh_cards(
    client: AsyncWebClient, team: Team, meeting: Meeting, state: plan.PlanState
) -> None:
    """The planning cards already posted in the meeting's thread, redrawn as the plan stands.
    A card Slack will not show or update is left as it is: the next change tries again."""
    for posted in await meeting_flow.thread(client, team, meeting):
        kind = sprint_blocks.plan_card_kind(posted.get("blocks") or [], state.sprint)
        if kind is None:
            continue
        try:
            await client.chat_update(
                channel=team.channel_id, ts=posted["ts"], **sprint_blocks.plan_card(kind, state)
            )
        except SlackApiError as error:
            log.warning("could not update the %s card: %s", kind, error.response.get("error"))


async def task_changed(asked: meeting_flow.Asked, card: TaskCard, *, replace: bool) -> None:
    """An item's tasks after a change, for the person who made it (`replace`: in the card
    they clicked); while the sprint is planned in a running meeting, its cards follow."""
    await asked.answer(sprint_blocks.task_card(card), replace=replace)
    changed = card.plan
    if changed is not None and changed.meeting is not None and changed.meeting.message_ts:
        await refresh_cards(asked.client, changed.team, changed.meeting, changed.state)


async def committed(asked: meeting_flow.Asked, done: planning.Committed) -> None:
    """Someone committed: who is still awaited, or the recorded sprint's summary and the end of
    the planning meeting, with its minutes. Both were recorded in the durable outbox with the
    commitment and are sent at once: one Slack refuses is posted by the outbox later, and
    never keeps the other from being sent."""
    if done.waiting is not None:
        await plan_changed(asked, done.waiting)
        return
    svc, ended, client, team = asked.svc, done.ended, asked.client, done.team
    if ended is not None:  # its cards closed before its minutes come
        await meeting_flow.refresh(svc, client, team, ended, svc.clock.now())
        await meeting_flow.close_cards(client, team, ended)
    await slack_outbox.send_all(svc, client, done.posts)


async def open_plan_form(asked: meeting_flow.Asked, form: planning.PlanForm) -> None:
    """The goal, selection, capacity or tasks form, for the person who clicked."""
    channel, client = asked.actor.channel, asked.client
    match form.which:
        case "goal":
            view = sprint_blocks.goal_modal(form.sprint, channel)
        case "select":
            assert form.chosen is not None
            view = sprint_blocks.selection_modal(
                form.sprint,
                channel,
                form.ready,
                form.unready,
                list(form.chosen.numbers),
                list(form.chosen.supporting),
            )
        case "capacity":
            clock, workspace = asked.svc.clock, asked.actor.workspace
            names = {d: await name(client, clock, workspace, d) for d in form.developers}
            view = sprint_blocks.capacity_modal(
                form.sprint,
                channel,
                form.developers,
                names,
                form.needs_forecast,
                form.working_days,
            )
        case _:
            assert form.sprint_item is not None
            view = sprint_blocks.tasks_modal(form.sprint, form.sprint_item, channel)
    await open_form(client, asked.body, view)
