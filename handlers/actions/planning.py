"""Sprint planning buttons: the section forms and the commitment.

A sprint id in a button's value is looked up inside the clicking person's team (workspace and
channel): another team's sprint is refused by the use case and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.services import services
from bot.usecases import planning
from handlers import payload
from handlers.common import actor
from handlers.flows import planning as planning_flow
from handlers.flows.meetings import Asked, channel_people
from handlers.listener import listener

FORMS = {
    "sprint_goal": "goal",
    "sprint_select": "select",
    "sprint_capacity": "capacity",
    "sprint_tasks": "tasks",
}
NEED_PEOPLE = ("select", "capacity")  # the developers: the proposal's forecast, days off


@listener
async def sprint_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The goal, selection, capacity and task forms of a sprint being planned."""
    await ack()
    asked = Asked(services(context), client, body, actor(body, context))
    which = FORMS.get(str(payload.action(body).get("action_id")), "tasks")
    sprint_id, _, number = payload.value(body).partition(":")
    item = payload.as_int(number) if number else None
    people = await channel_people(client, asked.actor.channel) if which in NEED_PEOPLE else None
    form = await planning.open_form(
        asked.svc, asked.actor, people, which, payload.as_int(sprint_id), item
    )
    await planning_flow.open_plan_form(asked, form)


@listener
async def sprint_commit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A developer's "I commit", or a Scrum Master's "Commit for the team"."""
    await ack()
    asked = Asked(services(context), client, body, actor(body, context))
    for_team = payload.action(body).get("action_id") == "sprint_commit_team"
    people = await channel_people(client, asked.actor.channel)
    done = await planning.commit(
        asked.svc, asked.actor, people, for_team=for_team, sprint_id=payload.number(body)
    )
    await planning_flow.committed(asked, done)
