"""`/ready`: readiness against the Definition of Ready, the daily reminder, snoozes."""

from __future__ import annotations

from typing import Any

from bot.domain.commands import ReadyCommand, parse_ready
from bot.usecases import ready as ready_uc
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import ready as ready_blocks


async def _check(asked: Asked, parsed: ReadyCommand) -> dict[str, Any]:
    found = await ready_uc.check(asked.svc, asked.actor)
    return ready_blocks.readiness_report(found.horizon, found.team.channel_id, found.dor)


async def _item(asked: Asked, parsed: ReadyCommand) -> dict[str, Any]:
    assert parsed.number is not None
    found = await ready_uc.item_readiness(asked.svc, asked.actor, parsed.number)
    return ready_blocks.item_readiness(found.item, found.dor, found.team.channel_id)


async def _dor(asked: Asked, parsed: ReadyCommand) -> dict[str, Any]:
    """The Definition of Ready, with the horizon `/ready` checks against it."""
    return ready_blocks.dor_message(await ready_uc.check(asked.svc, asked.actor))


async def _remind(asked: Asked, parsed: ReadyCommand) -> dict[str, Any]:
    """Sets the reminder (PO or SM)."""
    done = await ready_uc.set_reminder(asked.svc, asked.actor, parsed.remind, asked.in_channel)
    return ready_blocks.reminder_set(done.team, done.due)


async def _snooze(asked: Asked, parsed: ReadyCommand) -> dict[str, Any]:
    assert parsed.number is not None
    svc, who = asked.svc, asked.actor
    done = await ready_uc.snooze(svc, who, parsed.number, parsed.days, asked.in_channel)
    return ready_blocks.snoozed(done.item)


VERBS: dict[str, Verb[ReadyCommand]] = {
    "help": show_help,
    "check": _check,
    "item": _item,
    "dor": _dor,
    "remind": _remind,
    "snooze": _snooze,
}

ready_command = slash_command(parse_ready, VERBS)
