"""Meeting buttons: the clock, triage and deep-dive cards, minutes and agendas.

A meeting id in a button's value is looked up inside the clicking person's team (workspace and
channel): another team's meeting is refused by the use case and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import PokerCommand
from bot.usecases import meetings
from handlers import payload
from handlers.asked import Asked, acked
from handlers.blocks import meetings as meeting_blocks
from handlers.flows import meetings as meeting_flow
from handlers.flows import poker as poker_flow
from handlers.listener import listener


@acked
async def facilitate(asked: Asked) -> None:
    """Next, +5 min, pause, resume, end: the section in the button guards against doubles; a
    time-up's buttons name its alarm too (`meeting:section:alarm`), so its +5 acts once, and
    the time-up loses that button once taken."""
    op = payload.action_id(asked.body).removeprefix("meeting_")
    meeting_id, section = payload.numbers(asked.body, 2)
    alarm = _alarm(asked.body)
    expected = section if op in meetings.GUARDED else None
    member = asked.in_channel
    where = {"meeting_id": meeting_id, "expected": expected, "alarm": alarm}
    done = await meetings.step(asked.svc, asked.actor, op, member, **where)
    await meeting_flow.stepped(asked, done)
    if alarm is not None:
        await meeting_flow.alarm_answered(asked, done)


def _alarm(body: dict[str, Any]) -> int | None:
    """The alarm a time-up's button names (its third part), None for the agenda card's."""
    found = payload.value(body).split(":")
    return payload.as_int(found[2]) if len(found) > 2 else None


@acked
async def meeting_form(asked: Asked) -> None:
    """The session goal's form, or an action item's."""
    meeting_id = payload.numbers(asked.body, 2)[0]
    meeting = await meetings.meeting_for_form(asked.svc, asked.actor, meeting_id)
    goal = payload.action_id(asked.body) == "meeting_goal"
    build = meeting_blocks.goal_modal if goal else meeting_blocks.note_modal
    view = build(meeting, asked.actor.channel)
    await asked.client.views_open(trigger_id=asked.body["trigger_id"], view=view)


@acked
async def triage_place(asked: Asked) -> None:
    """Top, keep, bottom or archive for the item on a triage card; ordering is the PO's."""
    placement = payload.action_id(asked.body).removeprefix("triage_")
    meeting_id, number = payload.numbers(asked.body, 2)
    where = meeting_id, number, placement
    done = await meetings.triage(asked.svc, asked.actor, *where, asked.in_channel)
    await meeting_flow.triaged(asked, done)


@acked
async def triage_pick(asked: Asked) -> None:
    """Type or MoSCoW priority chosen on a triage card."""
    meeting_id, number, key = payload.parts(asked.body, 3)
    field = "type" if payload.action_id(asked.body) == "triage_type" else "priority"
    ids = payload.as_int(meeting_id), payload.as_int(number)
    picked = await meetings.triage_pick(asked.svc, asked.actor, *ids, field, key, asked.in_channel)
    await meeting_flow.triage_picked(asked, picked)


@acked
async def next_session(asked: Asked) -> None:
    """The next session's date, saved and shown on the wrap-up card for everyone."""
    picked = payload.action(asked.body)
    meeting_id = payload.as_int(str(picked.get("block_id")).removeprefix("wrapup-"))
    chosen = payload.as_text(picked.get("selected_date"))
    who = asked.svc, asked.actor, meeting_id
    done = await meetings.next_session(*who, chosen, asked.in_channel)
    await meeting_flow.session_picked(asked, done)


@acked
async def show_minutes(asked: Asked) -> None:
    meeting = await meetings.minutes_of(asked.svc, asked.actor, payload.number(asked.body))
    name, minutes = meeting.agenda["name"], meeting.minutes or {}
    await asked.answer(meeting_blocks.minutes_message(name, minutes, meeting.started_at))


@acked
async def change_agenda(asked: Asked) -> None:
    """Reset to the built-in agenda, or open its form (lengths and purposes, or YAML)."""
    action = payload.action_id(asked.body)
    kind, channel, team_id = _agenda_ref(asked.body)
    if action == "agenda_reset":
        where = kind, channel, team_id
        shown = await meetings.reset_agenda(asked.svc, asked.actor, *where, asked.in_channel)
        await asked.answer(meeting_blocks.agenda_shown(shown), replace=True)
        return
    where = kind, channel, team_id, asked.in_channel  # only for who may save it
    shown = await meetings.agenda_to_edit(asked.svc, asked.actor, *where)
    build = (
        meeting_blocks.agenda_modal if action == "agenda_edit" else meeting_blocks.agenda_yaml_modal
    )
    await asked.open_form(build(shown.agenda, shown.channel, shown.team_id))


def _agenda_ref(body: dict[str, Any]) -> tuple[str, str, int | None]:
    """An agenda button's value: `kind:channel:team` (older buttons: `kind:channel`)."""
    kind, rest = payload.parts(body, 2)
    channel, _, team = rest.partition(":")
    return kind, channel, payload.as_int(team) if team else None


@listener
async def estimate_in_meeting(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The deep dive's Estimate: a live poker round on the item, announced in the meeting thread
    through the outbox (the poker flow takes Bolt's context, so this listener acks itself)."""
    await ack()
    asked = Asked.of(body, client, context)
    meeting_id, number = payload.numbers(body, 2)
    await meetings.estimate_in(asked.svc, asked.actor, meeting_id)
    live = PokerCommand("live", numbers=(number,))
    poll = await poker_flow.start(
        asked.svc,
        client,
        context,
        channel=asked.actor.channel,
        user=asked.actor.user,
        command=live,
        request=asked.actor.request,
    )
    await meeting_flow.estimating(asked, meeting_id, number, poll)
