"""Backlog buttons: paging, opening, editing and changing items, archiving stale ones."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import backlog, teams
from bot.domain import backlog_health as health
from bot.domain.backlog import Move
from bot.domain.readiness import DefinitionOfReady
from bot.runtime.services import services
from handlers import payload
from handlers.blocks import backlog as backlog_blocks
from handlers.blocks import kit
from handlers.common import adopt_po_timezone, item_detail, open_form
from handlers.listener import listener
from handlers.reply import channel_of, reply


@listener
async def page(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        current = await backlog.page(
            store, team, payload.number(body) if payload.value(body) else 1
        )
        dor = DefinitionOfReady.of(team)
    await reply(client, body, backlog_blocks.backlog_page(current, channel, dor), replace=True)


@listener
async def open_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        answer = await item_detail(store, team, payload.number(body))
    await reply(client, body, answer)


@listener
async def edit_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        item = await backlog.get_item(store, team, payload.number(body))
        view = backlog_blocks.edit_modal(item, channel, DefinitionOfReady.of(team))
    await open_form(client, body, view)


@listener
async def change_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Move to top, mark done, archive or restore, from the item's own message."""
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    number, user, channel = payload.number(body), context.user_id, channel_of(body)
    now = svc.clock.now()
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        if action == "item_top":
            notice = await teams.require_role(
                store, team, user, ("po",), "order the product backlog"
            )
            await backlog.move_item(store, team, number, Move("top"), user, now)
        elif action == "item_done":
            await backlog.mark_done(store, team, number, user, now)
        else:
            verb = "archive" if action == "item_archive" else "restore"
            notice = await teams.require_role(store, team, user, ("po",), f"{verb} backlog items")
            change = backlog.archive_item if verb == "archive" else backlog.restore_item
            await change(store, team, number, user, now)
        answer = await item_detail(store, team, number)
    await reply(client, body, answer, replace=True)
    if notice:
        await reply(client, body, kit.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)


@listener
async def archive_stale(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel, user, now = channel_of(body), context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        await teams.require_role(store, team, user, ("po",), "archive backlog items")
        archived = await health.archive_stale(store, team, user, now)
        answer = backlog_blocks.health_message(
            await health.backlog_health(store, team, now), channel
        )
    await reply(client, body, answer, replace=True)
    listed = ", ".join(f"#{n}" for n in archived) or "nothing"
    await reply(
        client,
        body,
        kit.notice(f"Archived {listed}. `/backlog restore <n>` brings one back.", ":file_cabinet:"),
    )
