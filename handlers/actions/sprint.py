"""The sprint's buttons: an item's tasks from the sprint card, and each task's menu (take it,
done, reopen).

The sprint and task a value names are looked up inside the clicking person's team (workspace
and channel): another team's are refused by the use case and nothing changes.
"""

from __future__ import annotations

from bot.domain.tasks import ME, TaskEdit
from bot.usecases import tasks
from handlers import payload
from handlers.asked import Asked, acked
from handlers.blocks import sprints as sprint_blocks
from handlers.flows import planning as planning_flow
from handlers.flows.meetings import channel_people

EDITS = {"take": TaskEdit(owner=ME), "done": TaskEdit(done=True), "open": TaskEdit(done=False)}


@acked
async def item_tasks(asked: Asked) -> None:
    """The sprint card's Tasks button: the item's tasks, privately."""
    sprint_id, number = payload.numbers(asked.body, 2)
    card = await tasks.show(asked.svc, asked.actor, number, sprint_id)
    await asked.answer(sprint_blocks.task_card(card))


@acked
async def task_menu(asked: Asked) -> None:
    """A task's menu: take it, done, reopen; the card is redrawn in place."""
    verb, sprint_id, task_id = payload.parts(asked.body, 3)
    if verb not in EDITS:
        raise payload.Stale()
    people = await channel_people(asked.client, asked.actor.channel)
    ids = payload.as_int(sprint_id), payload.as_int(task_id)
    card = await tasks.clicked(asked.svc, asked.actor, people, *ids, EDITS[verb])
    await planning_flow.task_changed(asked, card, replace=True)
