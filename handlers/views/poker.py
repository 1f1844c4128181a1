"""The poker form: a vote with its reason."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.services import services
from handlers.common import actor
from handlers.flows import poker as poker_flow
from handlers.listener import listener, take_delivery
from handlers.reply import metadata
from handlers.views import form


@listener
async def poker_reason_vote(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A vote with its reason, from the "Vote with a reason" form."""
    state = form.fields(body)
    card = (state.get("card", {}).get("selected_option") or {}).get("value")
    if not card:
        await ack(response_action="errors", errors={"card": "Pick a card."})
        return
    svc, who, round_id = services(context), actor(body, context), metadata(body)["round"]
    reason, delivery = form.text(state, "reason"), take_delivery(context)
    await poker_flow.vote(
        svc, client, ack, body, who, round_id=round_id, card=card, reason=reason, delivery=delivery
    )
