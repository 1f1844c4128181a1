"""Readiness buttons: a fix opens the item's form on what is missing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.services import services
from bot.usecases import ready as ready_uc
from handlers import payload
from handlers.blocks import backlog as backlog_blocks
from handlers.common import actor, open_form
from handlers.flows.team import in_channel
from handlers.listener import listener


@listener
async def fix_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A readiness fix: the item's form, focused on what is missing. The button names its
    team's channel (it comes in owners' direct messages too): the form opens only for someone
    who belongs to that team, in their own workspace."""
    await ack()
    fix = payload.decoded(body)
    who = replace(actor(body, context), channel=fix["c"])
    found = await ready_uc.fix_form(services(context), who, fix["n"], in_channel(client, body))
    view = backlog_blocks.edit_modal(found.item, fix["c"], found.dor, focus=fix.get("f"))
    await open_form(client, body, view)
