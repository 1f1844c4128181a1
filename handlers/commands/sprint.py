"""`/sprint`: the current sprint, its renegotiations, closing it, charts and exports.

One small function per verb, each calling one use case (bot/usecases/sprints.py) and answering.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import SprintCommand, parse_sprint
from bot.runtime.services import Services, services
from bot.usecases import sprints
from bot.usecases.unit import Actor
from handlers.blocks import sprints as sprint_blocks
from handlers.blocks import team as team_blocks
from handlers.common import actor, adopt_po_timezone, open_form
from handlers.listener import listener
from handlers.render import from_slack
from handlers.reply import reply


@dataclass(frozen=True)
class Asked:
    """One `/sprint` request: who asks, what they typed, and where to answer."""

    svc: Services
    client: AsyncWebClient
    body: dict[str, Any]
    actor: Actor
    command: SprintCommand


@listener
async def sprint_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    command = parse_sprint(body.get("text", ""))
    asked = Asked(services(context), client, body, actor(body, context), command)
    await VERBS[command.verb](asked)


async def _help(asked: Asked) -> None:
    await reply(asked.client, asked.body, team_blocks.help_message())


async def _show(asked: Asked) -> None:
    shown = await sprints.show_sprint(asked.svc, asked.actor)
    await reply(asked.client, asked.body, sprint_blocks.card(shown))


async def _change_scope(asked: Asked) -> None:
    """`add|remove <n> <reason>`: the renegotiation is announced in the channel."""
    command = asked.command
    assert command.number is not None
    changed = await sprints.change_scope(
        asked.svc, asked.actor, command.verb, command.number, from_slack(command.text)
    )
    channel = asked.actor.channel
    await asked.client.chat_postMessage(channel=channel, **sprint_blocks.scope_changed(changed))
    await reply(asked.client, asked.body, sprint_blocks.scope_logged())


async def _done(asked: Asked) -> None:
    assert asked.command.number is not None
    finished = await sprints.mark_done(asked.svc, asked.actor, asked.command.number)
    await reply(asked.client, asked.body, sprint_blocks.item_done(finished))


async def _tasks(asked: Asked) -> None:
    assert asked.command.number is not None
    found = await sprints.item_tasks(asked.svc, asked.actor, asked.command.number)
    form = sprint_blocks.tasks_modal(found.sprint, found.sprint_item, asked.actor.channel)
    await open_form(asked.client, asked.body, form)


async def _close(asked: Asked) -> None:
    """The closing form; the use case of its submission closes the sprint."""
    found = await sprints.close_form(asked.svc, asked.actor)
    await open_form(
        asked.client, asked.body, sprint_blocks.close_modal(found.sprint, asked.actor.channel)
    )
    await tell_notices(asked.svc, asked.client, asked.body, asked.actor, found.notices)


async def _velocity(asked: Asked) -> None:
    await _upload(asked, await sprints.velocity_chart(asked.svc, asked.actor))


async def _burndown(asked: Asked) -> None:
    await _upload(asked, await sprints.burndown_chart(asked.svc, asked.actor))


async def _export(asked: Asked) -> None:
    await _upload(asked, await sprints.export_sprint(asked.svc, asked.actor, asked.command.format))


async def _upload(asked: Asked, file: sprints.SprintFile) -> None:
    await asked.client.files_upload_v2(
        channel=asked.actor.channel,
        content=file.content,
        filename=file.filename,
        title=file.title,
        initial_comment=sprint_blocks.upload_comment(asked.actor.user, file.title),
    )


async def tell_notices(
    svc: Services, client: AsyncWebClient, body: dict[str, Any], who: Actor, notices: list[str]
) -> None:
    """What the use case says besides its answer: that the actor became the PO (who then
    gives the team their time zone, if it had none)."""
    for notice in notices:
        await reply(client, body, sprint_blocks.role_notice(notice))
    if notices:
        await adopt_po_timezone(svc, client, who.workspace, who.channel)


VERBS: dict[str, Callable[[Asked], Awaitable[None]]] = {
    "help": _help,
    "show": _show,
    "add": _change_scope,
    "remove": _change_scope,
    "done": _done,
    "tasks": _tasks,
    "close": _close,
    "velocity": _velocity,
    "burndown": _burndown,
    "export": _export,
}
