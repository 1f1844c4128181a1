"""Backlog buttons: paging, opening, editing and changing items, archiving stale ones.

A button's value names an item by its number, looked up inside the team the click comes from;
the health check's button names its team, and is refused in any other."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.usecases import backlog as backlog_uc
from handlers import payload
from handlers.asked import Asked, acked
from handlers.blocks import backlog as blocks

CHANGES = {
    "item_top": backlog_uc.move_to_top,
    "item_done": backlog_uc.mark_done,
    "item_archive": backlog_uc.archive_item,
    "item_restore": backlog_uc.restore_item,
}


@acked
async def page(asked: Asked) -> None:
    number = payload.number(asked.body) if payload.value(asked.body) else 1
    shown = await backlog_uc.list_page(asked.svc, asked.actor, number)
    page = blocks.backlog_page(shown.page, asked.actor.channel, shown.dor, shown.scheme)
    await asked.answer(page, replace=True)


@acked
async def open_item(asked: Asked) -> None:
    shown = await backlog_uc.show_item(asked.svc, asked.actor, payload.number(asked.body))
    await asked.answer(blocks.item_message(shown))


@acked
async def edit_item(asked: Asked) -> None:
    form = await backlog_uc.item_form(asked.svc, asked.actor, payload.number(asked.body))
    channel = asked.actor.channel
    await asked.open_form(
        blocks.edit_modal(
            form.item, channel, form.dor, scheme=form.scheme, sets_priority=form.sets_priority
        )
    )


@acked
async def change_item(asked: Asked) -> None:
    """Move to top, mark done, archive or restore, from the item's own message."""
    change = CHANGES[payload.action_id(asked.body)]
    shown = await change(asked.svc, asked.actor, payload.number(asked.body), asked.in_channel)
    await asked.answer(blocks.item_message(shown), replace=True)


@acked
async def archive_stale(asked: Asked) -> None:
    team, shown = payload.numbers(asked.body, 2)
    archived = await backlog_uc.archive_stale(
        asked.svc, asked.actor, team, datetime.fromtimestamp(shown, UTC), asked.in_channel
    )
    health = archived.health
    shown = blocks.health_message(health.health, health.team_id, health.budget)
    await asked.answer(shown, replace=True)
    await asked.answer(blocks.archived_notice(archived.numbers))


@acked
async def apply_order(asked: Asked) -> None:
    """ "Apply this order" (the Product Owner's): its value names the team and the order shown."""
    team, shown = payload.parts(asked.body, 2)
    member = asked.in_channel
    applied = await backlog_uc.apply_order(
        asked.svc, asked.actor, payload.as_int(team), shown, member
    )
    await asked.answer(blocks.priority_message(applied), replace=True)
