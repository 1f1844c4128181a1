"""Setting a team up, across Slack calls: the workspace's user groups and their members, and
the person's own time zone, which the setup form names (the team takes its PO's).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.teams import ROLE_ALIASES, RoleGroup, Roles
from bot.usecases import team as team_uc
from handlers.asked import Asked
from handlers.blocks import team as team_blocks
from handlers.common import GroupUnlisted, group_members, zone_of

__all__ = [
    "named_groups",
    "open_setup",
    "with_members",
    "workspace_groups",
]

log = logging.getLogger(__name__)


async def workspace_groups(client: AsyncWebClient) -> list[tuple[str, str]]:
    """(id, handle) of the workspace's user groups; none when Slack will not say."""
    try:
        found = await client.usergroups_list()
    except SlackApiError as error:
        log.info("cannot list user groups: %s", error.response.get("error"))
        return []
    groups = found.get("usergroups") or []
    return [(str(g["id"]), str(g.get("handle") or g["id"])) for g in groups if g.get("id")]


async def with_members(
    client: AsyncWebClient, groups: Iterable[RoleGroup], *, as_known: bool = False
) -> list[RoleGroup]:
    """The user groups named for roles, with their members now (usergroups.users.list): a
    group's members are who hold its role. A group Slack will not list raises GroupUnlisted
    (handlers/common.py): whoever named it is told to name its people instead; `as_known`
    (showing the roles, nothing to refuse) keeps the members it was last known with."""
    found = []
    for group in groups:
        try:
            members = await group_members(client, group.id, group.handle)
        except GroupUnlisted:
            if not as_known:
                raise
            members = list(group.members)
        found.append(replace(group, members=tuple(members)))
    return found


async def open_setup(asked: Asked) -> None:
    """Opens the setup form of the asker's team, for who may save it: its roles (the
    workspace's user groups too), time zone (empty until the team has one: its PO's is taken),
    sprint length and start."""
    shown = await team_uc.setup_form(
        asked.svc, asked.actor, zone_of(asked.client), asked.in_channel
    )
    groups = await workspace_groups(asked.client)
    team = shown.team
    view = team_blocks.setup_modal(team, Roles.of(team), groups, shown.zone, shown.own)
    await asked.open_form(view)


async def named_groups(
    client: AsyncWebClient, role_word: str, groups: Iterable[tuple[str, str]]
) -> list[RoleGroup]:
    """The user groups a command named for a role, (id, handle) each, with their members."""
    role = ROLE_ALIASES.get(role_word.lower(), role_word)
    return await with_members(client, (RoleGroup(role, g, h) for g, h in groups))
