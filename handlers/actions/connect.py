"""The choice of tracker (`/timebox connect`): a button opens that tracker's form."""

from __future__ import annotations

from bot.usecases import tracker_connect as connect_uc
from handlers.asked import Asked, acked
from handlers.blocks import connect as blocks


@acked
async def choose_tracker(asked: Asked) -> None:
    """Opens the form of the tracker clicked, for the team the click comes from (only its PO
    or Scrum Master)."""
    kind = str(asked.body["actions"][0]["action_id"]).removeprefix(blocks.CHOOSE)
    opened = await connect_uc.connect_form(asked.svc, asked.actor, asked.in_channel, kind)
    await asked.open_form(blocks.connect_modal(asked.actor.channel, opened.team_id, kind))
