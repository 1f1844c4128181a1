"""`/timebox`: help, the team's roles and settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import TimeboxCommand, parse_timebox
from bot.domain.teams import Roles
from bot.runtime.services import services
from bot.usecases import team as team_uc
from handlers.blocks import team as team_blocks
from handlers.common import actor, adopt_po_timezone
from handlers.flows.team import Asked, tell_new_po
from handlers.listener import listener

Verb = Callable[[Asked, TimeboxCommand], Awaitable[dict[str, Any]]]


async def _help(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    return team_blocks.help_message()


async def _roles(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    """`/timebox roles` shows them; `/timebox roles po @name` sets one (PO or SM)."""
    if not parsed.role:
        team = await team_uc.team_now(asked.svc, asked.actor)
        return team_blocks.roles_message(Roles.of(team), team.channel_id)
    assignment = [(parsed.role, parsed.users)]
    changed = await team_uc.assign_roles(asked.svc, asked.actor, assignment, asked.in_channel)
    await tell_new_po(asked, changed.notices)
    return team_blocks.roles_message(changed.roles, changed.team.channel_id)


async def _settings(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    """`/timebox settings` shows them; `/timebox settings sprint 2w` changes one (PO or SM)."""
    actor = asked.actor
    await adopt_po_timezone(asked.svc, asked.client, actor.workspace, actor.channel)
    if not parsed.setting:
        team = await team_uc.team_now(asked.svc, actor)
        return team_blocks.settings_message(team)
    change = [(parsed.setting, parsed.value)]
    changed = await team_uc.apply_settings(asked.svc, actor, change, asked.in_channel)
    await tell_new_po(asked, changed.notices)
    return team_blocks.settings_message(changed.team)


VERBS: dict[str, Verb] = {"help": _help, "roles": _roles, "settings": _settings}


@listener
async def timebox_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    parsed = parse_timebox(body.get("text", ""))
    asked = Asked(services(context), client, body, actor(body, context))
    await asked.answer(await VERBS[parsed.verb](asked, parsed))
