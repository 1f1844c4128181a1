"""Meeting buttons: the clock, triage and deep-dive cards, minutes and agendas.

A meeting id in a button's value is looked up inside the clicking person's team (workspace and
channel): another team's meeting is refused by the use case and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import PokerCommand
from bot.runtime.services import services
from bot.usecases import meetings
from handlers import payload
from handlers.blocks import meetings as meeting_blocks
from handlers.common import actor, open_form
from handlers.flows import meetings as meeting_flow
from handlers.flows import poker as poker_flow
from handlers.flows.meetings import Asked
from handlers.listener import listener


def _asked(body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> Asked:
    return Asked(services(context), client, body, actor(body, context))


def _action_id(body: dict[str, Any]) -> str:
    return str(payload.action(body).get("action_id", ""))


@listener
async def facilitate(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Next, +5 min, pause, resume, end: the section in the button guards against doubles."""
    await ack()
    asked, op = _asked(body, client, context), _action_id(body).removeprefix("meeting_")
    meeting_id, section = payload.numbers(body, 2)
    expected = section if op in ("next", "extend") else None
    done = await meetings.step(asked.svc, asked.actor, op, meeting_id=meeting_id, expected=expected)
    await meeting_flow.announce(asked.svc, client, done)


@listener
async def meeting_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The session goal's form, or an action item's."""
    await ack()
    asked = _asked(body, client, context)
    meeting = await meetings.meeting_for_form(asked.svc, asked.actor, payload.numbers(body, 2)[0])
    build = (
        meeting_blocks.goal_modal
        if _action_id(body) == "meeting_goal"
        else meeting_blocks.note_modal
    )
    await client.views_open(trigger_id=body["trigger_id"], view=build(meeting, asked.actor.channel))


@listener
async def triage_place(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Top, keep, bottom or archive for the item on a triage card; ordering is the PO's."""
    await ack()
    asked, placement = _asked(body, client, context), _action_id(body).removeprefix("triage_")
    meeting_id, number = payload.numbers(body, 2)
    done = await meetings.triage(asked.svc, asked.actor, meeting_id, number, placement)
    await meeting_flow.triaged(asked, done)


@listener
async def triage_pick(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Type or MoSCoW priority chosen on a triage card."""
    await ack()
    asked = _asked(body, client, context)
    meeting_id, number, key = payload.parts(body, 3)
    field = "type" if _action_id(body) == "triage_type" else "priority"
    ids = payload.as_int(meeting_id), payload.as_int(number)
    await asked.tell(await meetings.triage_pick(asked.svc, asked.actor, *ids, field, key))


@listener
async def next_session(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    asked, picked = _asked(body, client, context), payload.action(body)
    meeting_id = payload.as_int(str(picked.get("block_id")).removeprefix("wrapup-"))
    chosen = payload.as_text(picked.get("selected_date"))
    await meetings.next_session(asked.svc, asked.actor, meeting_id, chosen)


@listener
async def show_minutes(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    asked = _asked(body, client, context)
    meeting = await meetings.minutes_of(asked.svc, asked.actor, payload.number(body))
    await asked.answer(
        meeting_blocks.minutes_message(meeting.agenda["name"], meeting.minutes or {})
    )


@listener
async def change_agenda(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Reset to the built-in agenda, or open its form (lengths and purposes, or YAML)."""
    await ack()
    asked, action = _asked(body, client, context), _action_id(body)
    kind, channel, team_id = _agenda_ref(body)
    if action == "agenda_reset":
        shown = await meetings.reset_agenda(asked.svc, asked.actor, kind, channel, team_id)
        await asked.answer(meeting_blocks.agenda_shown(shown), replace=True)
        await asked.tell(shown.notices)
        return
    shown = await meetings.agenda_to_edit(asked.svc, asked.actor, kind, channel, team_id)
    build = (
        meeting_blocks.agenda_modal if action == "agenda_edit" else meeting_blocks.agenda_yaml_modal
    )
    await open_form(client, body, build(shown.agenda, shown.channel, shown.team_id))


def _agenda_ref(body: dict[str, Any]) -> tuple[str, str, int | None]:
    """An agenda button's value: `kind:channel:team` (older buttons: `kind:channel`)."""
    kind, rest = payload.parts(body, 2)
    channel, _, team = rest.partition(":")
    return kind, channel, payload.as_int(team) if team else None


@listener
async def estimate_in_meeting(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The deep dive's Estimate: a live poker round on the item, announced in the meeting thread."""
    await ack()
    asked = _asked(body, client, context)
    meeting_id, number = payload.numbers(body, 2)
    done = await meetings.estimate_in(asked.svc, asked.actor, meeting_id)
    who, where = asked.actor.user, asked.actor.channel
    live = PokerCommand("live", numbers=(number,))
    await poker_flow.start(
        asked.svc,
        client,
        context,
        channel=where,
        user=who,
        command=live,
        request=asked.actor.request,
    )
    await meeting_flow.post(client, done.team, done.meeting, meeting_blocks.estimating(who, number))
