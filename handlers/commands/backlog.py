"""`/backlog`: the product backlog, its items, import and export.

A dispatch table: each verb's small function calls one use case (bot/usecases/backlog.py) and
renders what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import BacklogCommand, parse_backlog
from bot.runtime.services import Services, services
from bot.usecases import backlog as backlog_uc
from bot.usecases.unit import Actor
from handlers.blocks import backlog as blocks
from handlers.blocks import team as team_blocks
from handlers.common import actor, adopt_po_timezone, open_form
from handlers.listener import listener
from handlers.render import from_slack
from handlers.reply import reply


@dataclass(frozen=True)
class Asked:
    """One request being answered: the services, Slack's client, the payload, who asks."""

    svc: Services
    client: AsyncWebClient
    body: dict[str, Any]
    actor: Actor

    async def answer(self, payload: dict[str, Any], *, replace: bool = False) -> None:
        await reply(self.client, self.body, payload, replace=replace)

    async def tell(self, notices: Sequence[str]) -> None:
        """What else the use case did for the user (they became the channel's Product Owner);
        the team then takes the new PO's time zone."""
        for notice in notices:
            await self.answer(blocks.po_notice(notice))
        if notices:
            await adopt_po_timezone(self.svc, self.client, self.actor.workspace, self.actor.channel)


def asked(body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> Asked:
    return Asked(services(context), client, body, actor(body, context))


@listener
async def backlog_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    command = parse_backlog(from_slack(body.get("text", "")))
    await VERBS[command.verb](asked(body, client, context), command)


async def _help(r: Asked, command: BacklogCommand) -> None:
    await r.answer(team_blocks.help_message())


async def _list(r: Asked, command: BacklogCommand) -> None:
    shown = await backlog_uc.list_page(r.svc, r.actor, command.page)
    await r.answer(blocks.backlog_page(shown.page, r.actor.channel, shown.dor))


async def _add(r: Asked, command: BacklogCommand) -> None:
    await r.answer(blocks.added_message(await backlog_uc.add_item(r.svc, r.actor, command.title)))


async def _show(r: Asked, command: BacklogCommand) -> None:
    assert command.number is not None
    await r.answer(blocks.item_message(await backlog_uc.show_item(r.svc, r.actor, command.number)))


async def _edit(r: Asked, command: BacklogCommand) -> None:
    assert command.number is not None
    form = await backlog_uc.item_form(r.svc, r.actor, command.number)
    await open_form(r.client, r.body, blocks.edit_modal(form.item, r.actor.channel, form.dor))


async def _import(r: Asked, command: BacklogCommand) -> None:
    team = await backlog_uc.import_form(r.svc, r.actor)
    await open_form(r.client, r.body, blocks.import_modal(r.actor.channel, team))


async def _export(r: Asked, command: BacklogCommand) -> None:
    channel_name = r.body.get("channel_name") or r.actor.channel
    exported = await backlog_uc.export_backlog(r.svc, r.actor, command.format, channel_name)
    await r.client.files_upload_v2(
        channel=r.actor.channel,
        content=exported.content,
        filename=f"backlog.{command.format}",
        title=blocks.export_title(exported.count),
        initial_comment=blocks.export_comment(r.actor.user),
    )


async def _health(r: Asked, command: BacklogCommand) -> None:
    shown = await backlog_uc.health(r.svc, r.actor)
    await r.answer(blocks.health_message(shown.health, shown.team_id))


async def _move(r: Asked, command: BacklogCommand) -> None:
    assert command.number is not None and command.move is not None
    moved = await backlog_uc.move_item(r.svc, r.actor, command.number, command.move)
    await r.tell(moved.notices)
    await r.answer(blocks.moved_notice(moved))


def _changing(change: Callable[..., Awaitable[backlog_uc.ItemShown]]) -> Verb:
    """remove, restore, done: the item's message as it is after the change."""

    async def verb(r: Asked, command: BacklogCommand) -> None:
        shown = await change(r.svc, r.actor, command.number)
        await r.tell(shown.notices)
        await r.answer(blocks.item_message(shown))

    return verb


Verb = Callable[[Asked, BacklogCommand], Awaitable[None]]
VERBS: dict[str, Verb] = {
    "help": _help,
    "list": _list,
    "add": _add,
    "show": _show,
    "edit": _edit,
    "import": _import,
    "export": _export,
    "health": _health,
    "move": _move,
    "remove": _changing(backlog_uc.archive_item),
    "restore": _changing(backlog_uc.restore_item),
    "done": _changing(backlog_uc.mark_done),
}
