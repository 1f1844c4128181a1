"""`/poker`: live rounds, async polls, the deck and estimate history."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import poker, teams
from bot.domain.commands import (
    parse_poker,
)
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.blocks import poker as poker_blocks
from handlers.common import adopt_po_timezone
from handlers.flows import poker as poker_flow
from handlers.listener import listener
from handlers.reply import reply


@listener
async def poker_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """`/poker`: start a live round or an async poll, pick an item, the deck, an item's history."""
    await ack()
    svc = services(context)
    parsed = parse_poker(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, poker_blocks.help_message())
        return
    if parsed.verb in ("live", "async"):
        await poker_flow.start(svc, client, context, channel=channel, user=user, command=parsed)
        return
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "pick":
                answer = poker_blocks.picker(await store.unestimated(team.id, 5))
            case "history":
                item, records = await poker.history(store, team, parsed.numbers[0])
                answer = poker_blocks.history_message(item, records)
            case _:  # deck, tshirt: shown to anyone, changed by the PO or a Scrum Master
                deck = poker.team_deck(team)
                if parsed.words:
                    notice = await teams.require_role(
                        store, team, user, ("po", "sm"), "change the poker deck"
                    )
                    change = poker.set_deck if parsed.verb == "deck" else poker.set_tshirt
                    deck = change(team, " ".join(parsed.words).split())
                answer = poker_blocks.deck_message(deck)
    if notice:
        await reply(client, body, kit.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)
