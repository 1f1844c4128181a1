"""Team buttons: the roles, settings and Definition of Ready forms."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import services
from bot.usecases import team as team_uc
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.common import actor, open_form
from handlers.listener import listener


@listener
async def edit_team(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Opens the roles, settings or Definition of Ready form of the team the click comes from
    (anyone may look; saving it checks who they are)."""
    await ack()
    team = await team_uc.team_now(services(context), actor(body, context))
    match body["actions"][0]["action_id"]:
        case "roles_edit":
            view = team_blocks.roles_modal(Roles.of(team), team.channel_id)
        case "dor_edit":
            view = ready_blocks.dor_modal(DefinitionOfReady.of(team), team.channel_id)
        case _:
            view = team_blocks.settings_modal(team)
    await open_form(client, body, view)
