"""Backlog buttons: paging, opening, editing and changing items, archiving stale ones.

A button's value names an item by its number, looked up inside the team the click comes from;
the health check's button names its team, and is refused in any other."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.usecases import backlog as backlog_uc
from handlers import payload
from handlers.blocks import backlog as blocks
from handlers.commands.backlog import asked
from handlers.common import open_form
from handlers.listener import listener

CHANGES = {
    "item_top": backlog_uc.move_to_top,
    "item_done": backlog_uc.mark_done,
    "item_archive": backlog_uc.archive_item,
    "item_restore": backlog_uc.restore_item,
}


@listener
async def page(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    r = asked(body, client, context)
    number = payload.number(body) if payload.value(body) else 1
    shown = await backlog_uc.list_page(r.svc, r.actor, number)
    await r.answer(blocks.backlog_page(shown.page, r.actor.channel, shown.dor), replace=True)


@listener
async def open_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    r = asked(body, client, context)
    await r.answer(
        blocks.item_message(await backlog_uc.show_item(r.svc, r.actor, payload.number(body)))
    )


@listener
async def edit_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    r = asked(body, client, context)
    form = await backlog_uc.item_form(r.svc, r.actor, payload.number(body))
    await open_form(client, body, blocks.edit_modal(form.item, r.actor.channel, form.dor))


@listener
async def change_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Move to top, mark done, archive or restore, from the item's own message."""
    await ack()
    r = asked(body, client, context)
    change = CHANGES[payload.action(body).get("action_id", "")]
    shown = await change(r.svc, r.actor, payload.number(body))
    await r.answer(blocks.item_message(shown), replace=True)
    await r.tell(shown.notices)


@listener
async def archive_stale(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    r = asked(body, client, context)
    archived = await backlog_uc.archive_stale(r.svc, r.actor, payload.number(body))
    await r.answer(
        blocks.health_message(archived.health.health, archived.health.team_id), replace=True
    )
    await r.answer(blocks.archived_notice(archived.numbers))
    await r.tell(archived.notices)
