"""The calendar's verbs of other commands: `/refine schedule`, `/planning schedule` and
`/timebox calendar [skip|move|lead|feed|rotate]`. Each calls one use case and answers
privately."""

from __future__ import annotations

from typing import Any

from bot.domain.commands import RefineCommand, SprintCommand, TimeboxCommand
from bot.usecases import calendar as calendar_uc
from handlers.asked import Asked
from handlers.blocks import calendar as calendar_blocks


async def schedule(asked: Asked, parsed: RefineCommand | SprintCommand) -> dict[str, Any]:
    """`/refine schedule wed 14:00 [every 2w] [60m] [auto]`, `/planning schedule 10:00`, or
    `... schedule off` (the PO or a Scrum Master)."""
    assert parsed.schedule is not None
    done = await calendar_uc.schedule(asked.svc, asked.actor, parsed.schedule, asked.in_channel)
    return calendar_blocks.scheduled(done)


async def calendar(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    """`/timebox calendar`: what is coming; `skip`, `move`, `lead` change it; `feed` and
    `rotate` give the feed's secret address, to the PO or a Scrum Master only."""
    request = parsed.calendar
    assert request is not None
    svc, actor = asked.svc, asked.actor
    if request.verb in ("feed", "rotate"):
        rotate = request.verb == "rotate"
        link = await calendar_uc.feed_link(svc, actor, rotate, asked.in_channel)
        return calendar_blocks.feed(link)
    if request.verb == "show":
        return calendar_blocks.coming(await calendar_uc.calendar(svc, actor))
    shown = await calendar_uc.change(svc, actor, request, asked.in_channel)
    return calendar_blocks.coming(shown)
