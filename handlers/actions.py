"""Buttons: paging the backlog, opening items, and the item and team buttons."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import backlog, health, teams
from bot.backlog import Move
from bot.readiness import DefinitionOfReady
from bot.services import services
from bot.teams import Roles
from handlers import blocks
from handlers.common import adopt_po_timezone, item_detail, with_response_url
from handlers.listener import listener
from handlers.reply import channel_of, reply


def register(app: AsyncApp) -> None:
    app.action("backlog_prev")(page)
    app.action("backlog_next")(page)
    app.action("backlog_open")(open_item)
    app.action("item_edit")(edit_item)
    for action_id in ("item_top", "item_done", "item_archive", "item_restore"):
        app.action(action_id)(change_item)
    app.action("item_fix")(fix_item)
    app.action("roles_edit")(edit_team)
    app.action("settings_edit")(edit_team)
    app.action("dor_edit")(edit_team)
    app.action("archive_stale")(archive_stale)


def _value(body: dict[str, Any]) -> str:
    return body["actions"][0].get("value") or ""


@listener
async def page(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        current = await backlog.page(store, team, int(_value(body) or 1))
        dor = DefinitionOfReady.of(team)
    await reply(client, body, blocks.backlog_page(current, channel, dor), replace=True)


@listener
async def open_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        answer = await item_detail(store, team, int(_value(body)))
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
        item = await backlog.get_item(store, team, int(_value(body)))
        view = blocks.edit_modal(item, channel, DefinitionOfReady.of(team))
    view = with_response_url(view, body.get("response_url"))
    await client.views_open(trigger_id=body["trigger_id"], view=view)


@listener
async def change_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Move to top, mark done, archive or restore, from the item's own message."""
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    number, user, channel = int(_value(body)), context.user_id, channel_of(body)
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
        await reply(client, body, blocks.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)


@listener
async def edit_team(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Opens the roles or the settings modal."""
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        match body["actions"][0]["action_id"]:
            case "roles_edit":
                view = blocks.roles_modal(Roles.of(team), channel)
            case "dor_edit":
                view = blocks.dor_modal(DefinitionOfReady.of(team), channel)
            case _:
                view = blocks.settings_modal(team, team.timezone or "UTC")
    await client.views_open(
        trigger_id=body["trigger_id"], view=with_response_url(view, body.get("response_url"))
    )


@listener
async def fix_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A readiness fix: the item's form, focused on what is missing, from any channel or DM."""
    await ack()
    svc = services(context)
    fix = json.loads(_value(body))
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, fix["c"], svc.clock.now())
        item = await backlog.get_item(store, team, int(fix["n"]))
        view = blocks.edit_modal(item, fix["c"], DefinitionOfReady.of(team), focus=fix["f"])
    await client.views_open(
        trigger_id=body["trigger_id"], view=with_response_url(view, body.get("response_url"))
    )


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
        answer = blocks.health_message(await health.backlog_health(store, team, now), channel)
    await reply(client, body, answer, replace=True)
    listed = ", ".join(f"#{n}" for n in archived) or "nothing"
    await reply(
        client,
        body,
        blocks.notice(
            f"Archived {listed}. `/backlog restore <n>` brings one back.", ":file_cabinet:"
        ),
    )
