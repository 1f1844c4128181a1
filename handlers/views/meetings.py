"""Meeting forms: a session's goal or action item, and the agenda."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import refinement
from agendas.agenda import KINDS, MAX_MINUTES, Agenda, for_team
from agendas.agenda import parse as parse_agenda
from bot.domain import teams
from bot.domain.errors import UserError
from bot.runtime.services import services
from handlers.blocks import meetings as meeting_blocks
from handlers.flows import meetings as meeting_flow
from handlers.listener import listener
from handlers.payload import Stale
from handlers.render import render
from handlers.reply import metadata, reply
from handlers.views import form


@listener
async def save_meeting_text(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The session goal, or an action item with its owner."""
    state = form.fields(body)
    is_goal = body["view"]["callback_id"] == "meeting_goal"
    text = form.text(state, "goal" if is_goal else "text")
    if not text:
        await ack(response_action="errors", errors={"goal" if is_goal else "text": "Write it."})
        return
    await ack()
    svc = services(context)
    meta, now = metadata(body), svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        meeting = await meeting_flow.open_meeting(store, team, meta["meeting"])
        if is_goal:
            meeting.goal = text
            done = meeting_flow.Step(meeting, team, note=render("goal_set.md.j2", goal=text))
        else:
            owner = state.get("owner", {}).get("selected_user")
            action = await refinement.add_action(store, meeting, text, owner, context.user_id, now)
            done = meeting_flow.Step(
                meeting, team, note=render("action_added.md.j2", action=action)
            )
    await meeting_flow.announce(svc, client, done)


@listener
async def save_agenda(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Lengths and purposes from the form, or a whole YAML agenda; a broken one is refused."""
    state, meta = form.fields(body), metadata(body)
    if meta["kind"] not in KINDS:
        raise Stale()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], svc.clock.now())
        current = for_team(team.agendas, meta["kind"])
    try:
        if body["view"]["callback_id"] == "agenda_yaml":
            agenda = parse_agenda(form.text(state, "yaml"), meta["kind"])
        else:
            agenda = edited_agenda(current, state)
    except UserError as error:
        block = "yaml" if body["view"]["callback_id"] == "agenda_yaml" else "minutes-0"
        await ack(response_action="errors", errors={block: error.message[:150]})
        return
    await ack()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], svc.clock.now())
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "change agendas")
        team.agendas = {**team.agendas, agenda.kind: agenda.to_data()}
    await reply(client, body, meeting_blocks.agenda_view(agenda, True, meta["channel"]))


def edited_agenda(current: Agenda, state: dict[str, dict[str, Any]]) -> Agenda:
    sections = []
    for index, section in enumerate(current.sections):
        value = form.text(state, f"minutes-{index}")
        if not re.fullmatch(r"\d{1,4}", value) or int(value) < 1:
            raise UserError(f"Section {index + 1}: give a whole number.")
        amount = int(value) if current.minutes else int(value) / 100
        purpose = " ".join(form.text(state, f"purpose-{index}").split())
        sections.append(replace(section, minutes=amount, purpose=purpose))
    total = int(sum(s.minutes for s in sections)) if current.minutes else None
    if total is not None and not 5 <= total <= MAX_MINUTES:
        raise UserError(f"The sections add up to {total} minutes: keep it from 5 to {MAX_MINUTES}.")
    return replace(current, minutes=total, sections=tuple(sections))
