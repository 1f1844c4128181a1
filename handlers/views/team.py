"""Team forms: roles, settings and the Definition of Ready."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import teams
from bot.domain.calendar import reminder_days
from bot.domain.errors import UserError
from bot.domain.readiness import DEFAULT_HORIZON_ITEMS, DEFAULT_THRESHOLD, DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.common import adopt_po_timezone
from handlers.listener import listener
from handlers.reply import metadata, reply
from handlers.views import form


@listener
async def save_roles(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    state = form.fields(body)
    chosen = {
        role: list(state.get(role, {}).get("selected_users") or []) for role in ("po", "sm", "dev")
    }
    if not chosen["po"]:
        await ack(response_action="errors", errors={"po": "A team needs a Product Owner."})
        return
    await ack()
    svc = services(context)
    channel = metadata(body)["channel"]
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "change roles")
        for role, users in chosen.items():
            await teams.assign_role(store, team, role, users)
        answer = team_blocks.roles_message(Roles.of(team), channel)
    await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)


@listener
async def save_settings(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    state = form.fields(body)
    errors = {}
    try:
        zone = teams.parse_timezone(form.text(state, "timezone"))
    except UserError as error:
        errors["timezone"] = error.message
    days = [o["value"] for o in state.get("days", {}).get("selected_options") or []]
    if not days:
        errors["days"] = "Tick at least one working day."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    svc = services(context)
    channel = metadata(body)["channel"]
    weeks = (state.get("sprint", {}).get("selected_option") or {}).get("value", "2")
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "change team settings")
        team.timezone = zone
        teams.apply_setting(team, "sprint", weeks)
        teams.apply_setting(team, "days", ",".join(days))
        answer = team_blocks.settings_message(team, zone)
    await reply(client, body, answer)


@listener
async def save_dor(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    state = form.fields(body)
    rules = [o["value"] for o in state.get("rules", {}).get("selected_options") or []]
    try:
        changes: dict[str, Any] = {
            "rules": rules,
            "split_threshold": float(form.text(state, "threshold") or DEFAULT_THRESHOLD),
            "questions": form.text(state, "questions").splitlines(),
            "horizon_items": int(form.text(state, "horizon") or DEFAULT_HORIZON_ITEMS),
        }
        DefinitionOfReady().changed(**changes)
    except (UserError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "Give whole numbers."
        block = "questions" if "question" in message else "threshold"
        await ack(response_action="errors", errors={block: message})
        return
    await ack()
    svc = services(context)
    channel = metadata(body)["channel"]
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        await teams.require_role(
            store, team, context.user_id, ("po", "sm"), "change the Definition of Ready"
        )
        dor = DefinitionOfReady.of(team).changed(**changes)
        team.dor = dor.to_data()
        answer = ready_blocks.dor_message(team, dor, ", ".join(reminder_days(team)))
    await reply(client, body, answer)
