"""`/planning`: sprint planning as a timeboxed meeting, from the keyboard."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import sprints, teams
from bot.domain.commands import (
    parse_planning,
)
from bot.runtime.services import services
from handlers.blocks import meetings as meeting_blocks
from handlers.blocks import team as team_blocks
from handlers.flows import meetings as meeting_flow
from handlers.flows import planning as planning_flow
from handlers.listener import listener
from handlers.render import escape, from_slack
from handlers.reply import reply

MEETING_STEPS = ("next", "extend", "pause", "resume", "end")


@listener
async def planning_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_planning(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, team_blocks.help_message())
        return
    if parsed.verb == "start":
        await meeting_flow.start(
            svc, client, context.team_id, channel, user, parsed.minutes, kind="planning"
        )
        return
    done = answer = note = None
    recorded = False
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        meeting = await meeting_flow.open_meeting(store, team, None, "planning")
        sprint = await planning_flow.planning_sprint(store, team, meeting.data["sprint_id"])
        match parsed.verb:
            case "status":
                answer = meeting_blocks.agenda_message(meeting, now)
            case verb if verb in MEETING_STEPS:
                done = await meeting_flow.step(
                    store, team, meeting, verb, user, now, minutes=parsed.minutes or 5
                )
            case "goal":
                await teams.require_role(store, team, user, ("po",), "set the sprint goal")
                sprints.set_goal(sprint, from_slack(parsed.text), sprint.one_thing)
                note = f":dart: Sprint goal: {escape(sprint.goal)}"
            case "add" | "drop":
                chosen = await store.sprint_items(sprint)
                current = [si.item.number for si in chosen]
                supporting = {si.item.number for si in chosen if si.supports_goal}
                overrides = {si.item.number: si.override_reason or "" for si in chosen}
                if parsed.verb == "add":
                    current.append(parsed.number)
                    supporting.add(parsed.number)
                    overrides[parsed.number] = from_slack(parsed.text)
                    note = f"Took #{parsed.number} into the plan."
                else:
                    current = [n for n in current if n != parsed.number]
                    note = f"Left #{parsed.number} out of the plan."
                await sprints.select(store, team, sprint, current, supporting, overrides, now)
            case "commit" | "commit_team":
                devs = await planning_flow.developers(client, team)
                result = await sprints.commit(
                    store, team, sprint, user, devs, now, for_team=parsed.verb == "commit_team"
                )
                recorded = result.recorded
                if not recorded:
                    waiting = ", ".join(f"<@{d}>" for d in result.waiting_for)
                    note = f":raised_hand: <@{user}> commits. Waiting for {waiting}."
    if done is not None:
        await meeting_flow.announce(svc, client, done)
    if note:
        await planning_flow.post_plan(svc, client, team, sprint, note)
    if recorded:
        await planning_flow.committed(svc, client, team, sprint)
    if answer is not None:
        await reply(client, body, answer)
