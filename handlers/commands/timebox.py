"""`/timebox`: help, the team's roles and settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.commands import TimeboxCommand, parse_timebox
from bot.domain.teams import Roles
from bot.usecases import team as team_uc
from handlers.asked import Asked, slash_command
from handlers.blocks import team as team_blocks
from handlers.common import adopt_po_timezone

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
    await asked.tell(changed.notices)
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
    await asked.tell(changed.notices)
    return team_blocks.settings_message(changed.team)


VERBS: dict[str, Verb] = {"help": _help, "roles": _roles, "settings": _settings}

timebox_command = slash_command(parse_timebox, VERBS)
