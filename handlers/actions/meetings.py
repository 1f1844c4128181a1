"""Meeting buttons: the clock, triage and deep-dive cards, minutes and agendas."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import refinement
from agendas.agenda import KINDS, for_team
from bot.domain import backlog, teams
from bot.domain.commands import PokerCommand
from bot.domain.errors import UserError
from bot.runtime.services import services
from handlers import payload
from handlers.blocks import kit
from handlers.blocks import meetings as meeting_blocks
from handlers.common import open_form
from handlers.flows import meetings as meeting_flow
from handlers.flows import poker as poker_flow
from handlers.listener import listener
from handlers.reply import channel_of, reply


def _meeting_ref(body: dict[str, Any]) -> tuple[int, int]:
    """(meeting id, the section the clicked message was about)."""
    meeting_id, section = payload.numbers(body, 2)
    return meeting_id, section


@listener
async def facilitate(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Next, +5 min, pause, resume, end: the section in the button guards against doubles."""
    await ack()
    svc = services(context)
    op = body["actions"][0]["action_id"].removeprefix("meeting_")
    meeting_id, section = _meeting_ref(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        done = await meeting_flow.step(
            store,
            team,
            meeting,
            op,
            context.user_id,
            svc.clock.now(),
            expected=section if op in ("next", "extend") else None,
        )
    await meeting_flow.announce(svc, client, done)


@listener
async def meeting_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    meeting_id, _ = _meeting_ref(body)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        if body["actions"][0]["action_id"] == "meeting_goal":
            view = meeting_blocks.goal_modal(meeting, channel)
        else:
            view = meeting_blocks.note_modal(meeting, channel)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


@listener
async def triage_place(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Top, keep, bottom or archive for the item on a triage card; ordering is the PO's."""
    await ack()
    svc = services(context)
    placement = body["actions"][0]["action_id"].removeprefix("triage_")
    meeting_id, number = payload.numbers(body, 2)
    user, now = context.user_id, svc.clock.now()
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), now)
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        item = await backlog.get_item(store, team, number)
        if item.status != "new" or item.archived_at is not None:
            raise UserError(f"#{number} has been triaged already.")
        if placement != "keep":
            notice = await teams.require_role(
                store, team, user, ("po",), "order the product backlog"
            )
        item = await refinement.triage(store, team, meeting, number, placement, user, now)
        following = await meeting_flow.triage_next(store, team, meeting)
    container = body.get("container") or {}
    await client.chat_update(
        channel=team.channel_id,
        ts=container["message_ts"],
        **meeting_blocks.triage_done(item, placement, user),
    )
    await meeting_flow.post(client, team, meeting, following)
    if notice:
        await reply(client, body, kit.notice(notice, ":crown:"))


@listener
async def triage_pick(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Type or MoSCoW priority chosen on a triage card."""
    await ack()
    svc = services(context)
    action = body["actions"][0]
    meeting_id, number, key = payload.parts(body, 3)
    user, now = context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), now)
        await meeting_flow.open_meeting(store, team, payload.as_int(meeting_id))
        if action["action_id"] == "triage_type":
            edits = {"type": backlog.parse_type(key)}
        else:
            await teams.require_role(store, team, user, ("po",), "set priorities")
            if key not in refinement.MOSCOW:
                raise payload.Stale()
            edits = {"priority": refinement.MOSCOW[key]}
        await backlog.edit_item(store, team, payload.as_int(number), edits, user, now)


@listener
async def next_session(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    meeting_id = payload.as_int(str(body["actions"][0]["block_id"]).removeprefix("wrapup-"))
    chosen = body["actions"][0].get("selected_date")
    if not isinstance(chosen, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", chosen):
        raise payload.Stale()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        meeting.data = {**meeting.data, "next_session": chosen}


@listener
async def show_minutes(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        meeting = await store.meeting(payload.number(body))
        if meeting is None or meeting.team_id != team.id or not meeting.minutes:
            raise UserError("Those minutes are not in this channel.")
        answer = meeting_blocks.minutes_message(meeting.agenda["name"], meeting.minutes)
    await reply(client, body, answer)


@listener
async def change_agenda(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    kind, channel = payload.parts(body, 2)
    if kind not in KINDS:
        raise payload.Stale()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        agenda = for_team(team.agendas, kind)
        if action == "agenda_reset":
            await teams.require_role(store, team, context.user_id, ("po", "sm"), "change agendas")
            team.agendas = {k: v for k, v in team.agendas.items() if k != kind}
            answer = meeting_blocks.agenda_view(for_team(team.agendas, kind), False, channel)
        elif action == "agenda_edit":
            view = meeting_blocks.agenda_modal(agenda, channel)
        else:
            view = meeting_blocks.agenda_yaml_modal(agenda, channel)
    if action == "agenda_reset":
        await reply(client, body, answer, replace=True)
    else:
        await open_form(client, body, view)


@listener
async def estimate_in_meeting(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The deep dive's Estimate: a live poker round on the item, announced in the meeting thread."""
    await ack()
    svc = services(context)
    meeting_id, number = payload.numbers(body, 2)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
    await poker_flow.start(
        svc,
        client,
        context,
        channel=channel,
        user=context.user_id,
        command=PokerCommand("live", numbers=(number,)),
    )
    note = f":black_joker: <@{context.user_id}> started estimating #{number}: vote on the board."
    await meeting_flow.post(client, team, meeting, meeting_blocks.notice(note))
