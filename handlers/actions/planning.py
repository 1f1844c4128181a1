"""Sprint planning buttons: the section forms and the commitment.

A sprint id in a button's value is looked up inside the clicking person's team (workspace and
channel): another team's sprint is refused by the use case and nothing changes.
"""

from __future__ import annotations

from functools import partial

from bot.usecases import planning
from handlers import payload
from handlers.asked import Asked, acked
from handlers.flows import planning as planning_flow
from handlers.flows.meetings import channel_people

FORMS = {
    "sprint_goal": "goal",
    "sprint_select": "select",
    "sprint_capacity": "capacity",
    "sprint_tasks": "tasks",
}


@acked
async def sprint_form(asked: Asked) -> None:
    """The goal, selection, capacity and task forms of a sprint being planned; the use case
    reads the channel's people from Slack (through `people`) for the forms that need them."""
    which = FORMS.get(payload.action_id(asked.body), "tasks")
    sprint_id, _, number = payload.value(asked.body).partition(":")
    item = payload.as_int(number) if number else None
    people = partial(channel_people, asked.client, asked.actor.channel)
    form = await planning.open_form(
        asked.svc, asked.actor, people, which, payload.as_int(sprint_id), item, asked.in_channel
    )
    await planning_flow.open_plan_form(asked, form)


@acked
async def sprint_commit(asked: Asked) -> None:
    """A developer's "I commit", or a Scrum Master's "Commit for the team"."""
    for_team = payload.action_id(asked.body) == "sprint_commit_team"
    people = await channel_people(asked.client, asked.actor.channel)
    done = await planning.commit(
        asked.svc, asked.actor, people, for_team=for_team, sprint_id=payload.number(asked.body)
    )
    await planning_flow.committed(asked, done)
