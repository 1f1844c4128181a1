"""Sprint planning buttons: the section forms and the commitment."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import sprints, teams
from bot.domain.errors import UserError
from bot.runtime.services import services
from handlers import payload
from handlers.blocks import sprints as sprint_blocks
from handlers.common import open_form
from handlers.flows import planning as planning_flow
from handlers.listener import listener
from handlers.reply import channel_of


@listener
async def sprint_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The goal, selection, capacity and task forms of a sprint being planned."""
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    sprint_id, _, number = payload.value(body).partition(":")
    sprint_id = payload.as_int(sprint_id)
    channel, user = channel_of(body), context.user_id
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        sprint = await store.sprint_by_id(sprint_id)
        if sprint is None or sprint.team_id != team.id:
            raise UserError("That sprint is not in this channel.")
        match action:
            case "sprint_goal":
                await teams.require_role(store, team, user, ("po",), "set the sprint goal")
                view = sprint_blocks.goal_modal(sprint, channel)
            case "sprint_select":
                sprint = await planning_flow.planning_sprint(store, team, sprint.id)
                ready, unready = await planning_flow.selection_lists(store, team)
                current = await store.sprint_items(sprint)
                chosen = [si.item.number for si in current]
                if not current:
                    devs = await planning_flow.developers(client, team)
                    cap = await sprints.capacity(store, team, sprint, devs)
                    chosen = [i.number for i in await sprints.proposal(store, team, cap.forecast)]
                supporting = [si.item.number for si in current if si.supports_goal] or chosen
                view = sprint_blocks.selection_modal(
                    sprint, channel, ready, unready, chosen, supporting
                )
            case "sprint_capacity":
                devs = await planning_flow.developers(client, team)
                names = {d: (await client.users_info(user=d))["user"]["real_name"] for d in devs}
                needs_forecast = await sprints.team_velocity(store, team) is None
                view = sprint_blocks.capacity_modal(sprint, channel, devs, names, needs_forecast)
            case _:
                sprint_item = await sprints.find_item(store, team, sprint, payload.as_int(number))
                view = sprint_blocks.tasks_modal(sprint, sprint_item, channel)
    await open_form(client, body, view)


@listener
async def sprint_commit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    user, channel, now = context.user_id, channel_of(body), svc.clock.now()
    for_team = body["actions"][0]["action_id"] == "sprint_commit_team"
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        sprint = await planning_flow.planning_sprint(store, team, payload.number(body))
        devs = await planning_flow.developers(client, team)
        result = await sprints.commit(store, team, sprint, user, devs, now, for_team=for_team)
    if result.recorded:
        await planning_flow.committed(svc, client, team, sprint)
    else:
        waiting = ", ".join(f"<@{d}>" for d in result.waiting_for)
        note = f":raised_hand: <@{user}> commits. Waiting for {waiting}."
        await planning_flow.post_plan(svc, client, team, sprint, note)
