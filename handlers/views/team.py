"""Team forms: roles, settings and the Definition of Ready.

Each form names its team's channel in its metadata: it is saved into that channel's team in
the submitter's own workspace, by a PO or SM of it, and never by someone outside it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import teams
from bot.domain.errors import UserError
from bot.domain.readiness import DEFAULT_HORIZON_ITEMS, DEFAULT_THRESHOLD, DefinitionOfReady
from bot.runtime.services import services
from bot.usecases import ready as ready_uc
from bot.usecases import team as team_uc
from bot.usecases.unit import Actor
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.common import actor, adopt_po_timezone, in_channel
from handlers.listener import listener
from handlers.reply import metadata, reply
from handlers.views import form

Errors = dict[str, str]


def _submitter(body: dict[str, Any], context: AsyncBoltContext) -> Actor:
    """Who saves the form, in the team (channel) the form was opened for."""
    return replace(actor(body, context), channel=metadata(body)["channel"])


def _roles(state: dict[str, dict[str, Any]]) -> tuple[list[tuple[str, list[str]]], Errors]:
    chosen = [
        (role, list(state.get(role, {}).get("selected_users") or [])) for role in teams.ROLE_NAMES
    ]
    if not chosen[0][1]:
        return chosen, {"po": "A team needs a Product Owner."}
    return chosen, {}


def _settings(state: dict[str, dict[str, Any]]) -> tuple[list[tuple[str, str]], Errors]:
    errors = {}
    zone = form.text(state, "timezone")
    try:
        teams.parse_timezone(zone)
    except UserError as error:
        errors["timezone"] = error.message
    days = [o["value"] for o in state.get("days", {}).get("selected_options") or []]
    if not days:
        errors["days"] = "Tick at least one working day."
    weeks = (state.get("sprint", {}).get("selected_option") or {}).get("value", "2")
    return [("timezone", zone), ("sprint", weeks), ("days", ",".join(days))], errors


def _dor(state: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], Errors]:
    try:
        changes: dict[str, Any] = {
            "rules": [o["value"] for o in state.get("rules", {}).get("selected_options") or []],
            "split_threshold": float(form.text(state, "threshold") or DEFAULT_THRESHOLD),
            "questions": form.text(state, "questions").splitlines(),
            "horizon_items": int(form.text(state, "horizon") or DEFAULT_HORIZON_ITEMS),
        }
        DefinitionOfReady().changed(**changes)
    except (UserError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "Give whole numbers."
        return {}, {"questions" if "question" in message else "threshold": message}
    return changes, {}


@listener
async def save_roles(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    chosen, errors = _roles(form.fields(body))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    svc, who = services(context), _submitter(body, context)
    changed = await team_uc.assign_roles(svc, who, chosen, in_channel(client, body))
    await adopt_po_timezone(svc, client, who.workspace, who.channel)
    await reply(client, body, team_blocks.roles_message(changed.roles, who.channel))


@listener
async def save_settings(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    changes, errors = _settings(form.fields(body))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    who = _submitter(body, context)
    changed = await team_uc.apply_settings(
        services(context), who, changes, in_channel(client, body)
    )
    await reply(client, body, team_blocks.settings_message(changed.team))


@listener
async def save_dor(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    changes, errors = _dor(form.fields(body))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    who = _submitter(body, context)
    team = await ready_uc.save_dor(services(context), who, changes, in_channel(client, body))
    await reply(client, body, ready_blocks.dor_message(team))
