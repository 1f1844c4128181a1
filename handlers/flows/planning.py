"""The Slack side of sprint planning: the plan's changes in the meeting thread, its forms, and
the commitment that records the sprint and ends the meeting.

It builds on the generic meeting flow (the thread, the ended meeting); that one never needs
this module: what a planning section opens is the planning meeting kind's to say.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.usecases import meetings, planning
from handlers.blocks import meetings as meeting_blocks
from handlers.blocks import sprints as sprint_blocks
from handlers.common import open_form
from handlers.flows import meetings as meeting_flow


async def plan_changed(asked: meeting_flow.Asked, changed: planning.PlanChanged) -> None:
    """The change and where the plan stands: in the planning meeting's thread if one runs,
    else in the channel."""
    payload = meeting_blocks.plan_changed(changed)
    meeting, team = changed.meeting, changed.team
    if meeting is not None and meeting.message_ts:
        await meeting_flow.post(asked.client, team, meeting, payload)
    else:
        await asked.client.chat_postMessage(channel=team.channel_id, **payload)
    await asked.tell(changed.notices)


async def committed(asked: meeting_flow.Asked, done: planning.Committed) -> None:
    """Someone committed: who is still awaited, or the recorded sprint's summary and the end of
    the planning meeting, with its minutes."""
    if done.waiting is not None:
        await plan_changed(asked, done.waiting)
        return
    await asked.client.chat_postMessage(
        channel=done.team.channel_id, **meeting_blocks.committed(done)
    )
    if done.ended is not None:
        ended = meetings.Step(done.ended, done.team, ended=True)
        await meeting_flow.announce(asked.svc, asked.client, ended)


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
            names = {d: await real_name(client, d) for d in form.developers}
            view = sprint_blocks.capacity_modal(
                form.sprint, channel, form.developers, names, form.needs_forecast
            )
        case _:
            assert form.sprint_item is not None
            view = sprint_blocks.tasks_modal(form.sprint, form.sprint_item, channel)
    await open_form(client, asked.body, view)
    await asked.tell(form.notices)


async def real_name(client: AsyncWebClient, user: str) -> str:
    return (await client.users_info(user=user))["user"]["real_name"]
