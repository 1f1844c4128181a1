"""Poker buttons: cards, reasons, the facilitator's controls, starting a round."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import PokerCommand
from bot.runtime.services import services
from bot.usecases import poker as poker_uc
from handlers import payload
from handlers.blocks import poker as poker_blocks
from handlers.common import actor, in_channel
from handlers.flows import poker as poker_flow
from handlers.listener import listener, take_delivery
from handlers.reply import reply


@listener
async def poker_vote(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A card: counted before the ack for expected voters (with the request's delivery
    key), confirmed to them alone, hidden until the reveal."""
    picked, who, delivery = payload.decoded(body), actor(body, context), take_delivery(context)
    await poker_flow.vote(
        services(context),
        client,
        ack,
        body,
        who,
        round_id=picked["r"],
        card=picked["c"],
        delivery=delivery,
    )


@listener
async def poker_reason(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """ "Vote with a reason": the form, for someone who may vote in this round now."""
    await ack()
    who = actor(body, context)
    form = await poker_uc.reason_form(services(context), who, payload.decoded(body)["r"])
    view = poker_blocks.reason_modal(form.round, form.title, form.deck, who.channel)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


@listener
async def poker_facilitate(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Reveal, accept, another value, re-vote, skip: the facilitator's buttons."""
    await ack()
    picked, action = payload.decoded(body), payload.action_id(body)
    member = in_channel(client, body)
    await poker_flow.facilitate(
        services(context), client, actor(body, context), member, action, picked
    )


@listener
async def poker_start(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`/poker`'s item picker: a live round on the chosen item, started by whoever clicked."""
    await ack()
    number, who = payload.number(body), actor(body, context)
    values = (body.get("state") or {}).get("values") or {}
    ticked = (values.get("poker-options") or {}).get("poker_option") or {}
    roles = tuple(o["value"] for o in ticked.get("selected_options") or [])
    command = PokerCommand("live", numbers=(number,), with_roles=roles)
    await poker_flow.start(
        services(context),
        client,
        context,
        channel=who.channel,
        user=who.user,
        command=command,
        request=who.request,
    )
    await reply(client, body, poker_blocks.started_notice(number), replace=True)


@listener
async def poker_history(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The item message's Estimates button: its accepted estimates with rounds and votes."""
    await ack()
    found = await poker_uc.history(services(context), actor(body, context), payload.number(body))
    await reply(client, body, poker_blocks.history_message(found.item, found.records))


@listener
async def poker_noop(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Ticking the picker's options or following a link needs no answer but an ack."""
    await ack()
