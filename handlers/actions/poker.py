"""Poker buttons: cards, reasons, the facilitator's controls, starting a round."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import poker
from bot.domain.commands import PokerCommand
from bot.runtime.services import services
from handlers import payload
from handlers.blocks import kit
from handlers.blocks import poker as poker_blocks
from handlers.flows import poker as poker_flow
from handlers.listener import listener
from handlers.reply import channel_of, reply


def _poker_value(body: dict[str, Any]) -> dict[str, Any]:
    """A poker button's (or select's) value: the round, and the card if it is one."""
    return payload.decoded(body)


@listener
async def poker_vote(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A card: stored before the ack, then counted for expected voters, confirmed to them
    alone, hidden until the reveal."""
    picked = _poker_value(body)
    await poker_flow.vote(
        services(context),
        client,
        ack,
        body,
        workspace=context.team_id,
        channel=channel_of(body) or "",
        user=context.user_id or "",
        round_id=int(picked["r"]),
        card=str(picked["c"]),
    )


@listener
async def poker_reason(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await poker_flow.open_reason(
        services(context),
        client,
        context,
        channel=channel_of(body) or "",
        user=context.user_id or "",
        round_id=int(_poker_value(body)["r"]),
        trigger_id=body["trigger_id"],
    )


@listener
async def poker_facilitate(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Reveal, accept, another value, re-vote, skip: the facilitator's buttons."""
    await ack()
    svc, picked = services(context), _poker_value(body)
    action = body["actions"][0]["action_id"]
    where = {
        "channel": channel_of(body) or "",
        "user": context.user_id or "",
        "round_id": int(picked["r"]),
    }
    if action == "poker_reveal":
        await poker_flow.reveal(svc, client, context, **where)
    elif action == "poker_revote":
        await poker_flow.revote(svc, client, context, **where)
    else:
        card = None if action == "poker_skip" else str(picked["c"])
        await poker_flow.decide(svc, client, context, card=card, **where)


@listener
async def poker_start(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`/poker`'s item picker: a live round on the chosen item, started by whoever clicked."""
    await ack()
    number = payload.number(body)
    values = (body.get("state") or {}).get("values") or {}
    ticked = (values.get("poker-options") or {}).get("poker_option") or {}
    command = PokerCommand(
        "live",
        numbers=(number,),
        with_roles=tuple(o["value"] for o in ticked.get("selected_options") or []),
    )
    await poker_flow.start(
        services(context),
        client,
        context,
        channel=channel_of(body) or "",
        user=context.user_id or "",
        command=command,
    )
    await reply(
        client,
        body,
        kit.notice(f"Planning poker on #{number} has started in the channel.", ":black_joker:"),
        replace=True,
    )


@listener
async def poker_history(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The item message's Estimates button: its accepted estimates with rounds and votes."""
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        item, records = await poker.history(store, team, payload.number(body))
        answer = poker_blocks.history_message(item, records)
    await reply(client, body, answer)


@listener
async def poker_noop(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Ticking the picker's options or following a link needs no answer but an ack."""
    await ack()
