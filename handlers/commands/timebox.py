"""`/timebox`: help, the team's roles and settings."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import teams
from bot.domain.commands import (
    parse_timebox,
)
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.blocks import team as team_blocks
from handlers.common import adopt_po_timezone
from handlers.listener import listener
from handlers.reply import reply


@listener
async def timebox_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_timebox(body.get("text", ""))
    user, channel = body["user_id"], body["channel_id"]
    if parsed.verb == "help":
        await reply(client, body, team_blocks.help_message())
        return
    notice = None
    if parsed.verb == "settings":
        await adopt_po_timezone(svc, client, context.team_id, channel)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        if parsed.verb == "roles":
            if parsed.role:
                notice = await teams.require_role(store, team, user, ("po", "sm"), "change roles")
                await teams.assign_role(store, team, parsed.role, list(parsed.users))
            answer = team_blocks.roles_message(Roles.of(team), channel)
        else:
            if parsed.setting:
                notice = await teams.require_role(
                    store, team, user, ("po", "sm"), "change team settings"
                )
                teams.apply_setting(team, parsed.setting, parsed.value)
            answer = team_blocks.settings_message(team, team.timezone or "UTC")
    if notice:
        await reply(client, body, kit.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)
