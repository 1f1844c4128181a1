"""`/backlog`: the product backlog, its items, import and export."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import backlog, teams
from bot.domain.backlog_csv import to_csv, to_markdown
from bot.domain.backlog_health import backlog_health
from bot.domain.commands import (
    parse_backlog,
)
from bot.domain.readiness import DefinitionOfReady
from bot.runtime.services import services
from handlers.blocks import backlog as backlog_blocks
from handlers.blocks import kit
from handlers.blocks import team as team_blocks
from handlers.common import adopt_po_timezone, item_detail, open_form
from handlers.listener import listener
from handlers.render import from_slack, render
from handlers.reply import reply


@listener
async def backlog_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_backlog(from_slack(body.get("text", "")))
    user, channel = body["user_id"], body["channel_id"]
    now = svc.clock.now()
    notice: str | None = None

    if parsed.verb == "help":
        await reply(client, body, team_blocks.help_message())
        return
    if parsed.verb in ("import", "edit"):
        async with svc.db.transaction() as store:
            team = await store.ensure_team(context.team_id, channel, now)
            item = await backlog.get_item(store, team, parsed.number) if parsed.number else None
        if item:
            view = backlog_blocks.edit_modal(item, channel, DefinitionOfReady.of(team))
        else:
            view = backlog_blocks.import_modal(channel)
        await open_form(client, body, view)
        return
    if parsed.verb == "export":
        async with svc.db.transaction() as store:
            team = await store.ensure_team(context.team_id, channel, now)
            items = await store.all_items(team.id, include_closed=False)
        if parsed.format == "csv":
            content = to_csv(items)
        else:
            content = to_markdown(items, body.get("channel_name") or channel)
        await client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"backlog.{parsed.format}",
            title=f"Product backlog ({len(items)} items)",
            initial_comment=f"<@{user}> exported the product backlog.",
        )
        return

    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "list":
                current = await backlog.page(store, team, parsed.page)
                answer = backlog_blocks.backlog_page(current, channel, DefinitionOfReady.of(team))
            case "health":
                answer = backlog_blocks.health_message(
                    await backlog_health(store, team, now), channel
                )
            case "add":
                fields = backlog.ItemFields(title=parsed.title)
                item = await backlog.add_item(store, team, fields, user, now)
                position = await backlog.position_of(store, team, item.number)
                text = render("item_added.md.j2", item=item, position=position)
                answer = kit.message(
                    [
                        kit.section(
                            text, accessory=kit.button("Edit", "item_edit", str(item.number))
                        )
                    ],
                    text,
                )
            case "show":
                answer = await item_detail(store, team, parsed.number)
            case "move":
                notice = await teams.require_role(
                    store, team, user, ("po",), "order the product backlog"
                )
                old, new = await backlog.move_item(
                    store, team, parsed.number, parsed.move, user, now
                )
                answer = kit.notice(
                    f"#{parsed.number} is already at position {new}."
                    if old == new
                    else f"Moved #{parsed.number} from position {old} to {new}.",
                    ":arrow_up_down:",
                )
            case "remove" | "restore":
                notice = await teams.require_role(
                    store, team, user, ("po",), f"{parsed.verb} backlog items"
                )
                change = backlog.archive_item if parsed.verb == "remove" else backlog.restore_item
                await change(store, team, parsed.number, user, now)
                answer = await item_detail(store, team, parsed.number)
            case "done":
                await backlog.mark_done(store, team, parsed.number, user, now)
                answer = await item_detail(store, team, parsed.number)
    if notice:
        await reply(client, body, kit.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)
