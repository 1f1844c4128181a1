"""`/sprint`: the current sprint, its renegotiations, closing it, charts and exports.

One small function per verb, each calling one use case (bot/usecases/sprints.py) and answering.
"""

from __future__ import annotations

from typing import Any

from bot.domain.commands import SprintCommand, parse_sprint
from bot.usecases import sprints, tasks
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import sprints as sprint_blocks
from handlers.flows import planning as planning_flow
from handlers.flows.meetings import channel_people
from handlers.names import names


async def _show(asked: Asked, command: SprintCommand) -> None:
    await asked.answer(sprint_blocks.card(await sprints.show_sprint(asked.svc, asked.actor)))


async def _change_scope(asked: Asked, command: SprintCommand) -> None:
    """`add|remove <n> <reason>`: the renegotiation is announced in the channel."""
    assert command.number is not None
    await sprints.change_scope(
        asked.svc, asked.actor, command.verb, command.number, command.text, asked.in_channel
    )
    await asked.answer(sprint_blocks.scope_logged())


async def _done(asked: Asked, command: SprintCommand) -> None:
    assert command.number is not None
    finished = await sprints.mark_done(asked.svc, asked.actor, command.number, asked.in_channel)
    await asked.answer(sprint_blocks.item_done(finished))


async def _tasks(asked: Asked, command: SprintCommand) -> None:
    assert command.number is not None
    found = await sprints.item_tasks(asked.svc, asked.actor, command.number)
    await asked.open_form(
        sprint_blocks.tasks_modal(found.sprint, found.sprint_item, asked.actor.channel)
    )


async def _task(asked: Asked, command: SprintCommand) -> dict[str, Any]:
    """`task <n>`: an item's tasks, with a menu on each."""
    assert command.number is not None
    return sprint_blocks.task_card(await tasks.show(asked.svc, asked.actor, command.number))


async def _task_add(asked: Asked, command: SprintCommand) -> None:
    """`task <n> add <title> 2h`."""
    assert command.number is not None
    people = await channel_people(asked.client, asked.actor.channel)
    card = await tasks.add(asked.svc, asked.actor, people, command.number, command.text)
    await planning_flow.task_changed(asked, card, replace=False)


async def _task_edit(asked: Asked, command: SprintCommand) -> None:
    """`task <n> <task> owner @x | hours 3 | left 1 | done | open`."""
    assert command.number is not None and command.task is not None and command.edit
    people = await channel_people(asked.client, asked.actor.channel)
    where = command.number, command.task
    card = await tasks.change(asked.svc, asked.actor, people, *where, command.edit)
    await planning_flow.task_changed(asked, card, replace=False)


async def _close(asked: Asked, command: SprintCommand) -> None:
    """The closing form; the use case of its submission closes the sprint."""
    to_close = await sprints.close_form(asked.svc, asked.actor, asked.in_channel)
    await asked.open_form(sprint_blocks.close_modal(to_close, asked.actor.channel))


async def _velocity(asked: Asked, command: SprintCommand) -> None:
    await _upload(asked, await sprints.velocity_chart(asked.svc, asked.actor))


async def _burndown(asked: Asked, command: SprintCommand) -> None:
    """`burndown` in points, `burndown hours` in task hours left."""
    hours = command.format == "hours"
    drawn = await sprints.burndown_chart(asked.svc, asked.actor, hours=hours, number=command.number)
    await _upload(asked, drawn)


async def _export(asked: Asked, command: SprintCommand) -> None:
    """`export md|csv [<n>]`: the file names people by name (a file leaves Slack)."""
    known = names(asked.client, asked.svc.clock, asked.actor.workspace)
    fmt, number = command.format, command.number
    await _upload(asked, await sprints.export_sprint(asked.svc, asked.actor, fmt, known, number))


async def _upload(asked: Asked, file: sprints.SprintFile | sprints.NothingToDraw) -> None:
    """The file for the channel; a chart with nothing on it yet is said privately instead."""
    if isinstance(file, sprints.NothingToDraw):
        await asked.answer(sprint_blocks.no_chart(file.reason))
        return
    await asked.client.files_upload_v2(
        channel=asked.actor.channel,
        content=file.content,
        filename=file.filename,
        title=file.title,
        initial_comment=sprint_blocks.upload_comment(asked.actor.user, file.title, file.summary),
    )


VERBS: dict[str, Verb[SprintCommand]] = {
    "help": show_help,
    "show": _show,
    "add": _change_scope,
    "remove": _change_scope,
    "done": _done,
    "tasks": _tasks,
    "task": _task,
    "task_add": _task_add,
    "task_edit": _task_edit,
    "close": _close,
    "velocity": _velocity,
    "burndown": _burndown,
    "export": _export,
}

sprint_command = slash_command(parse_sprint, VERBS)
