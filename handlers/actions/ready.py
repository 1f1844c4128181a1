"""Readiness buttons: a fix opens the item's form on what is missing."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import backlog
from bot.domain.readiness import DefinitionOfReady
from bot.runtime.services import services
from handlers import payload
from handlers.blocks import backlog as backlog_blocks
from handlers.common import open_form
from handlers.listener import listener


@listener
async def fix_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A readiness fix: the item's form, focused on what is missing, from any channel or DM."""
    await ack()
    svc = services(context)
    fix = payload.decoded(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, fix["c"], svc.clock.now())
        item = await backlog.get_item(store, team, int(fix["n"]))
        view = backlog_blocks.edit_modal(
            item, fix["c"], DefinitionOfReady.of(team), focus=fix.get("f")
        )
    await open_form(client, body, view)
