"""Setting a team up, across Slack calls: the workspace's user groups and their members, and
the person's own time zone, which the setup form offers.
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
from storage.models import Team

__all__ = [
    "named_groups",
    "open_setup",
    "shown_roles",
    "user_zone",
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


async def with_members(client: AsyncWebClient, groups: Iterable[RoleGroup]) -> list[RoleGroup]:
    """The user groups named for roles, with their members now (usergroups.users.list): a
    group's members are who hold its role."""
    found = []
    for group in groups:
        members = (await client.usergroups_users_list(usergroup=group.id)).get("users") or []
        found.append(replace(group, members=tuple(members)))
    return found


async def open_setup(asked: Asked) -> None:
    """Opens the setup form of the asker's team: its roles (the workspace's user groups too),
    time zone (the asker's own, until the team has one), sprint length and start."""
    team = await team_uc.team_now(asked.svc, asked.actor)
    groups = await workspace_groups(asked.client)
    zone = team.timezone or await user_zone(asked.client, asked.actor.user) or "UTC"
    await asked.open_form(team_blocks.setup_modal(team, Roles.of(team), groups, zone))


async def named_groups(
    client: AsyncWebClient, role_word: str, groups: Iterable[tuple[str, str]]
) -> list[RoleGroup]:
    """The user groups a command named for a role, (id, handle) each, with their members."""
    role = ROLE_ALIASES.get(role_word.lower(), role_word)
    return await with_members(client, (RoleGroup(role, g, h) for g, h in groups))


async def shown_roles(asked: Asked) -> Team:
    """The asker's team with the members of its user groups as Slack says now: whoever reads
    the roles sees the people who hold them."""
    team = await team_uc.team_now(asked.svc, asked.actor)
    groups = Roles.of(team).groups
    if not groups:
        return team
    fresh = await with_members(asked.client, groups)
    return await team_uc.refresh_groups(asked.svc, asked.actor, fresh)


async def user_zone(client: AsyncWebClient, user: str) -> str | None:
    """The time zone of the person's Slack profile."""
    profile = await client.users_info(user=user)
    return (profile.get("user") or {}).get("tz") or None
