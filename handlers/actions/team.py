"""Team buttons: the roles, settings and Definition of Ready forms."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.common import open_form
from handlers.listener import listener
from handlers.reply import channel_of


@listener
async def edit_team(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Opens the roles or the settings modal."""
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        match body["actions"][0]["action_id"]:
            case "roles_edit":
                view = team_blocks.roles_modal(Roles.of(team), channel)
            case "dor_edit":
                view = ready_blocks.dor_modal(DefinitionOfReady.of(team), channel)
            case _:
                view = team_blocks.settings_modal(team, team.timezone or "UTC")
    await open_form(client, body, view)
