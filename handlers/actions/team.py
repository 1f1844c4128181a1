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
    """Opens the roles, settings or Definition of Ready form of the team the click comes from,
    only for someone who may save it: anyone else is told why on the click, as the save would
    tell them, before typing anything (`/timebox roles` and `/timebox settings` show them)."""
    match asked.body["actions"][0]["action_id"]:
        case "dor_edit":  # with the horizon it checks now, which its form says
            view = ready_blocks.dor_modal(await ready_uc.dor_form(asked.svc, asked.actor))
        case "roles_edit":
            team = await team_uc.roles_form(asked.svc, asked.actor, asked.in_channel)
            view = team_blocks.roles_modal(Roles.of(team), team.channel_id)
        case _:
            team = await team_uc.settings_form(asked.svc, asked.actor, asked.in_channel)
            view = team_blocks.settings_modal(team)
    await asked.open_form(view)


@acked
async def set_up_team(asked: Asked) -> None:
    """Opens the setup form of the team the click comes from, for who may save it."""
    await team_flow.open_setup(asked)
