"""`/poker`: start a live round or an async poll, pick an item, the deck, an item's history,
the calibration of estimates against how long done items took.

A short dispatch table: each verb's small function calls one use case and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import PokerCommand, parse_poker
from bot.runtime.services import services
from bot.usecases import calibration as calibration_uc
from bot.usecases import poker as poker_uc
from handlers.asked import Asked, refused_in_direct_message
from handlers.blocks import poker as poker_blocks
from handlers.common import actor
from handlers.flows import poker as poker_flow
from handlers.listener import listener


@listener
async def poker_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`/poker`: start a live round or an async poll, pick an item, the deck, an item's history."""
    await ack()
    asked = Asked(services(context), client, body, actor(body, context))
    if await refused_in_direct_message(asked, parse_poker):
        return
    parsed = parse_poker(asked.text)
    await VERBS[parsed.verb](asked, parsed, context)


async def _help(asked: Asked, parsed: PokerCommand, context: AsyncBoltContext) -> None:
    await asked.answer(poker_blocks.help_message())


async def _start(asked: Asked, parsed: PokerCommand, context: AsyncBoltContext) -> None:
    who = asked.actor
    await poker_flow.start(
        asked.svc,
        asked.client,
        context,
        channel=who.channel,
        user=who.user,
        command=parsed,
        request=who.request,
    )


async def _pick(asked: Asked, parsed: PokerCommand, context: AsyncBoltContext) -> None:
    await asked.answer(poker_blocks.picker(await poker_uc.pick(asked.svc, asked.actor)))


async def _history(asked: Asked, parsed: PokerCommand, context: AsyncBoltContext) -> None:
    found = await poker_uc.history(asked.svc, asked.actor, parsed.numbers[0])
    await asked.answer(poker_blocks.history_message(found.item, found.records))


async def _calibrate(asked: Asked, parsed: PokerCommand, context: AsyncBoltContext) -> None:
    """How long the channel's done items really took, per estimate: privately."""
    found = await calibration_uc.calibrate(asked.svc, asked.actor)
    await asked.answer(poker_blocks.calibration_message(found))


async def _deck(asked: Asked, parsed: PokerCommand, context: AsyncBoltContext) -> None:
    """`deck` / `tshirt`: shown to anyone, changed by the PO or a Scrum Master."""
    if not parsed.words:
        await asked.answer(
            poker_blocks.deck_message(await poker_uc.deck_of(asked.svc, asked.actor))
        )
        return
    changed = await poker_uc.change_deck(
        asked.svc, asked.actor, parsed.verb, parsed.words, asked.in_channel
    )
    await asked.answer(poker_blocks.deck_changed(changed, sizes=parsed.verb == "tshirt"))


Verb = Callable[[Asked, PokerCommand, AsyncBoltContext], Awaitable[None]]
VERBS: dict[str, Verb] = {
    "help": _help,
    "live": _start,
    "async": _start,
    "pick": _pick,
    "history": _history,
    "calibrate": _calibrate,
    "deck": _deck,
    "tshirt": _deck,
}
