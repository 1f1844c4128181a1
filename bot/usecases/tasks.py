"""A sprint item's tasks, one use case per thing people do with them: see an item's tasks, add
one, take one, change its hours or what is left of it, finish or reopen it.

Commands work on the team's current sprint (the running one, else the one being planned); a
button names its sprint and task, looked up inside the actor's team (another team's is refused
and nothing changes). A task is changed by its owner or by one of the team's developers;
someone outside the channel changes nothing. While the sprint is planned in a running planning
meeting, the result says where the plan stands, for the meeting's cards to show it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from agendas import planning as plan
from agendas.kinds import People
from bot.domain import calibration, tasks
from bot.domain.errors import NotAllowed, UserError
from bot.runtime.services import Services
from bot.usecases import sprints as steps
from bot.usecases.planning import PLANNING, PlanChanged, PlanNote, plan_state
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor, Work, team_work
from storage.models import Sprint, SprintItem, SprintTask

ONLY_DEVELOPERS = "The developers plan an item's tasks; you are not one of this team's developers."


@dataclass(frozen=True)
class TaskCard:
    """An item's tasks, for its card; `task`: the one just added or changed."""

    sprint: Sprint
    sprint_item: SprintItem
    task: SprintTask | None = None
    plan: PlanChanged | None = None
    """Where the plan stands, while the sprint is planned in a running planning meeting."""


async def show(svc: Services, actor: Actor, number: int, sprint_id: int | None = None) -> TaskCard:
    """Item #number's tasks, in the sprint a button names or the current one."""
    async with team_work(svc, actor) as work:
        sprint = await _sprint(work, sprint_id)
        return TaskCard(sprint, await steps.find_item(work.store, work.team, sprint, number))


async def add(svc: Services, actor: Actor, people: People, number: int, text: str) -> TaskCard:
    """`/sprint task <n> add Write the docs 2h`: a developer adds a task to an item."""
    async with _changing(svc, actor, people, None) as (work, sprint):
        if work.user not in plan.developers(work.team, people):
            raise NotAllowed(ONLY_DEVELOPERS)
        sprint_item = await steps.find_item(work.store, work.team, sprint, number)
        task = tasks.add_task(sprint_item, text)
        await _save(work, sprint, sprint_item, task)
        return TaskCard(sprint, sprint_item, task, await _plan(work, people, sprint))


async def change(
    svc: Services,
    actor: Actor,
    people: People,
    number: int,
    position: int,
    edit: tasks.TaskEdit,
) -> TaskCard:
    """`/sprint task <n> <task> owner @x | hours 3 | left 1 | done | open`."""
    async with _changing(svc, actor, people, None) as (work, sprint):
        sprint_item = await steps.find_item(work.store, work.team, sprint, number)
        task = tasks.task_at(sprint_item, position)
        return await _changed(work, people, sprint, sprint_item, task, edit)


async def clicked(
    svc: Services,
    actor: Actor,
    people: People,
    sprint_id: int,
    task_id: int,
    edit: tasks.TaskEdit,
) -> TaskCard:
    """A task card's button: take it, done, reopen."""
    async with _changing(svc, actor, people, sprint_id) as (work, sprint):
        items = await work.store.sprint_items(sprint)
        sprint_item, task = tasks.find_task(items, task_id)
        return await _changed(work, people, sprint, sprint_item, task, edit)


# -- steps ---------------------------------------------------------------------------------------


@asynccontextmanager
async def _changing(
    svc: Services, actor: Actor, people: People, sprint_id: int | None
) -> AsyncIterator[tuple[Work, Sprint]]:
    """A change to the tasks of a sprint (`_sprint`), by someone in the channel (`people`)."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        yield work, await _sprint(work, sprint_id)


def _among(people: People) -> InChannel:
    """Who is in the channel, as the channel's people the caller read from Slack say."""

    async def member(channel: str, user: str) -> bool:
        return user in people.members

    return member


async def _sprint(work: Work, sprint_id: int | None) -> Sprint:
    """The sprint a button names (inside the actor's team), or the team's current one."""
    if sprint_id is None:
        return await steps.current(work)
    sprint = await steps.sprint_in_team(work.store, work.team, sprint_id)
    if sprint.status == "closed":
        raise UserError(f"Sprint {sprint.number} is closed: its tasks stay as they were.")
    return sprint


async def _changed(
    work: Work,
    people: People,
    sprint: Sprint,
    sprint_item: SprintItem,
    task: SprintTask,
    edit: tasks.TaskEdit,
) -> TaskCard:
    tasks.change_task(task, edit, work.user, plan.developers(work.team, people))
    await _save(work, sprint, sprint_item, task)
    return TaskCard(sprint, sprint_item, task, await _plan(work, people, sprint))


async def _save(work: Work, sprint: Sprint, sprint_item: SprintItem, task: SprintTask) -> None:
    """The task, and what is left of it from now on (for the burndown in hours); the item's
    work began with its first task under way (calibration)."""
    calibration.note_start(sprint, sprint_item, work.now)
    await work.store.save_tasks(sprint_item)
    work.store.add_progress(tasks.progress(sprint, [task], work.now))


async def _plan(work: Work, people: People, sprint: Sprint) -> PlanChanged | None:
    if sprint.status != "planning":
        return None
    meeting = await work.store.open_meeting(work.team.id)
    if meeting is None or meeting.kind != PLANNING.name:
        return None
    state = await plan_state(work.store, work.team, sprint, people)
    return PlanChanged(work.team, state, PlanNote("tasks", work.user), meeting)
