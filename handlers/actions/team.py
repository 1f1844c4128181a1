"""Team buttons: the setup, roles, settings and Definition of Ready forms."""

from __future__ import annotations

from bot.domain.teams import Roles
from bot.usecases import ready as ready_uc
from bot.usecases import team as team_uc
from handlers.asked import Asked, acked
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.flows import team as team_flow


@acked
async def edit_team(asked: Asked) -> None:
    """Opens the roles, settings or Definition of Ready form of the team the click comes from
    (anyone may look at roles and settings; saving it checks who they are). The Definition of
    Ready has nothing to look at but its card: who may not change it is told so on the click."""
    match asked.body["actions"][0]["action_id"]:
        case "dor_edit":  # with the horizon it checks now, which its form says
            view = ready_blocks.dor_modal(await ready_uc.dor_form(asked.svc, asked.actor))
        case "roles_edit":
            team = await team_uc.team_now(asked.svc, asked.actor)
            view = team_blocks.roles_modal(Roles.of(team), team.channel_id)
        case _:
            view = team_blocks.settings_modal(await team_uc.team_now(asked.svc, asked.actor))
    await asked.open_form(view)


@acked
async def set_up_team(asked: Asked) -> None:
    """Opens the setup form of the team the click comes from (anyone may look; saving it
    checks who they are)."""
    await team_flow.open_setup(asked)
