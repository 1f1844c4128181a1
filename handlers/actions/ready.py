"""Readiness buttons: a fix opens the item's form on what is missing."""

from __future__ import annotations

from dataclasses import replace

from bot.usecases import ready as ready_uc
from handlers import payload
from handlers.asked import Asked, acked
from handlers.blocks import backlog as backlog_blocks


@acked
async def fix_item(asked: Asked) -> None:
    """A readiness fix: the item's form, focused on what is missing. The button names its
    team's channel (it comes in owners' direct messages too): the form opens only for someone
    who belongs to that team, in their own workspace."""
    fix = payload.decoded(asked.body)
    who = replace(asked.actor, channel=fix["c"])
    found = await ready_uc.fix_form(asked.svc, who, fix["n"], asked.in_channel)
    view = backlog_blocks.edit_modal(
        found.item,
        fix["c"],
        found.dor,
        fix.get("f"),
        scheme=found.team.priority_scheme,
        sets_priority=found.sets_priority,
    )
    await asked.open_form(view)
