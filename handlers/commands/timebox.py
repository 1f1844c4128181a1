"""`/timebox`: help, the team's setup, roles and settings."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.domain.commands import TimeboxCommand, parse_timebox
from bot.domain.teams import Roles
from bot.usecases import team as team_uc
from handlers import outbox as slack_outbox
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import team as team_blocks
from handlers.commands import connect
from handlers.commands.calendar import calendar
from handlers.common import zone_of
from handlers.flows import team as team_flow


async def _roles(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    """`/timebox roles` shows them; `/timebox roles po @name sm @name dev @a @b` (people or
    `@group`s) sets each role typed, in one go: by the PO or an SM, or by anyone while the
    channel has no PO; the team takes the new PO's time zone if it has none. The channel is
    told what changed."""
    if not parsed.naming:
        members = partial(team_flow.with_members, asked.client, as_known=True)
        team = await team_uc.shown_roles(asked.svc, asked.actor, members)
        return team_blocks.roles_message(Roles.of(team), team.channel_id)
    groups = []
    for named in parsed.naming:
        groups += await team_flow.named_groups(asked.client, named.role, named.groups)
    assignment, who = [(named.role, named.users) for named in parsed.naming], asked.actor
    changed = await team_uc.assign_roles(
        asked.svc, who, assignment, asked.in_channel, groups, zone_of=zone_of(asked.client)
    )
    await slack_outbox.send_all(asked.svc, asked.client, changed.posts)
    return team_blocks.roles_message(changed.roles, changed.team.channel_id)


async def _setup(asked: Asked, parsed: TimeboxCommand) -> None:
    """`/timebox setup`: the team's setup form."""
    await team_flow.open_setup(asked)


async def _settings(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    """`/timebox settings` shows them, the time zone that applies included (a team without one
    takes its PO's); `/timebox settings sprint 2w` changes one (PO or SM)."""
    actor, zones = asked.actor, zone_of(asked.client)
    if not parsed.setting:
        team = await team_uc.shown_settings(asked.svc, actor, zones)
        return team_blocks.settings_message(team)
    change = [(parsed.setting, parsed.value)]
    changed = await team_uc.apply_settings(
        asked.svc, actor, change, asked.in_channel, zone_of=zones
    )
    said = changed.settings, changed.calendar, changed.start_moved
    return team_blocks.settings_message(changed.team, *said)


VERBS: dict[str, Verb[TimeboxCommand]] = {
    "help": show_help,
    "setup": _setup,
    "roles": _roles,
    "settings": _settings,
    "calendar": calendar,
    **connect.VERBS,
}

timebox_command = slash_command(parse_timebox, VERBS)
