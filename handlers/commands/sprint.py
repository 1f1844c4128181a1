"""`/sprint`: the current sprint, its renegotiations, closing it, charts and exports.

One small function per verb, each calling one use case (bot/usecases/sprints.py) and answering.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.commands import SprintCommand, parse_sprint
from bot.usecases import sprints
from handlers.asked import Asked, slash_command
from handlers.blocks import sprints as sprint_blocks
from handlers.blocks import team as team_blocks
from handlers.render import from_slack


async def _help(asked: Asked, command: SprintCommand) -> None:
    await asked.answer(team_blocks.help_message())


async def _show(asked: Asked, command: SprintCommand) -> None:
    await asked.answer(sprint_blocks.card(await sprints.show_sprint(asked.svc, asked.actor)))


async def _change_scope(asked: Asked, command: SprintCommand) -> None:
    """`add|remove <n> <reason>`: the renegotiation is announced in the channel."""
    assert command.number is not None
    changed = await sprints.change_scope(
        asked.svc, asked.actor, command.verb, command.number, from_slack(command.text)
    )
    channel = asked.actor.channel
    await asked.client.chat_postMessage(channel=channel, **sprint_blocks.scope_changed(changed))
    await asked.answer(sprint_blocks.scope_logged())


async def _done(asked: Asked, command: SprintCommand) -> None:
    assert command.number is not None
    finished = await sprints.mark_done(asked.svc, asked.actor, command.number)
    await asked.answer(sprint_blocks.item_done(finished))


async def _tasks(asked: Asked, command: SprintCommand) -> None:
    assert command.number is not None
    found = await sprints.item_tasks(asked.svc, asked.actor, command.number)
    await asked.open_form(
        sprint_blocks.tasks_modal(found.sprint, found.sprint_item, asked.actor.channel)
    )


async def _close(asked: Asked, command: SprintCommand) -> None:
    """The closing form; the use case of its submission closes the sprint."""
    found = await sprints.close_form(asked.svc, asked.actor)
    await asked.open_form(sprint_blocks.close_modal(found.sprint, asked.actor.channel))
    await asked.tell(found.notices)


async def _velocity(asked: Asked, command: SprintCommand) -> None:
    await _upload(asked, await sprints.velocity_chart(asked.svc, asked.actor))


async def _burndown(asked: Asked, command: SprintCommand) -> None:
    await _upload(asked, await sprints.burndown_chart(asked.svc, asked.actor))


async def _export(asked: Asked, command: SprintCommand) -> None:
    await _upload(asked, await sprints.export_sprint(asked.svc, asked.actor, command.format))


async def _upload(asked: Asked, file: sprints.SprintFile) -> None:
    await asked.client.files_upload_v2(
        channel=asked.actor.channel,
        content=file.content,
        filename=file.filename,
        title=file.title,
        initial_comment=sprint_blocks.upload_comment(asked.actor.user, file.title),
    )


VERBS: dict[str, Callable[[Asked, SprintCommand], Awaitable[None]]] = {
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

sprint_command = slash_command(parse_sprint, VERBS)
