"""`/backlog`: the product backlog, its items, import and export.

A dispatch table: each verb's small function calls one use case (bot/usecases/backlog.py) and
renders what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.commands import BacklogCommand, parse_backlog
from bot.usecases import backlog as backlog_uc
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import backlog as blocks
from handlers.names import names


async def _list(asked: Asked, command: BacklogCommand) -> None:
    shown = await backlog_uc.list_page(asked.svc, asked.actor, command.page)
    page = blocks.backlog_page(shown.page, asked.actor.channel, shown.dor, shown.scheme)
    await asked.answer(page)


async def _add(asked: Asked, command: BacklogCommand) -> None:
    added = await backlog_uc.add_item(asked.svc, asked.actor, command.title, asked.in_channel)
    await asked.answer(blocks.added_message(added))


async def _show(asked: Asked, command: BacklogCommand) -> dict[str, Any]:
    assert command.number is not None
    return blocks.item_message(await backlog_uc.show_item(asked.svc, asked.actor, command.number))


async def _edit(asked: Asked, command: BacklogCommand) -> None:
    assert command.number is not None
    form = await backlog_uc.item_form(asked.svc, asked.actor, command.number)
    channel = asked.actor.channel
    await asked.open_form(
        blocks.edit_modal(
            form.item, channel, form.dor, scheme=form.scheme, sets_priority=form.sets_priority
        )
    )


async def _import(asked: Asked, command: BacklogCommand) -> None:
    team = await backlog_uc.import_form(asked.svc, asked.actor)
    await asked.open_form(blocks.import_modal(asked.actor.channel, team))


async def _export(asked: Asked, command: BacklogCommand) -> None:
    channel_name = asked.body.get("channel_name") or asked.actor.channel
    known = names(asked.client, asked.svc.clock, asked.actor.workspace)
    exported = await backlog_uc.export_backlog(
        asked.svc, asked.actor, command.format, channel_name, known
    )
    await asked.client.files_upload_v2(
        channel=asked.actor.channel,
        content=exported.content,
        filename=f"backlog.{command.format}",
        title=blocks.export_title(exported.count),
        initial_comment=blocks.export_comment(asked.actor.user),
    )


async def _health(asked: Asked, command: BacklogCommand) -> None:
    shown = await backlog_uc.health(asked.svc, asked.actor)
    await asked.answer(blocks.health_message(shown.health, shown.team_id, shown.budget))


async def _priority(asked: Asked, command: BacklogCommand) -> None:
    """The order the team's scores suggest, beside the real one."""
    shown = await backlog_uc.suggest_order(asked.svc, asked.actor)
    await asked.answer(blocks.priority_message(shown))


async def _move(asked: Asked, command: BacklogCommand) -> None:
    assert command.number is not None and command.move is not None
    number, move = command.number, command.move
    moved = await backlog_uc.move_item(asked.svc, asked.actor, number, move, asked.in_channel)
    await asked.answer(blocks.moved_notice(moved))


def _changing(change: Callable[..., Awaitable[backlog_uc.ItemShown]]) -> Verb[BacklogCommand]:
    """remove, restore, done: the item's message as it is after the change."""

    async def verb(asked: Asked, command: BacklogCommand) -> None:
        shown = await change(asked.svc, asked.actor, command.number, asked.in_channel)
        await asked.answer(blocks.item_message(shown))

    return verb


VERBS: dict[str, Verb[BacklogCommand]] = {
    "help": show_help,
    "list": _list,
    "add": _add,
    "show": _show,
    "edit": _edit,
    "import": _import,
    "export": _export,
    "health": _health,
    "move": _move,
    "priority": _priority,
    "remove": _changing(backlog_uc.archive_item),
    "restore": _changing(backlog_uc.restore_item),
    "done": _changing(backlog_uc.mark_done),
}

backlog_command = slash_command(parse_backlog, VERBS)
