"""`/refine`: the timeboxed refinement session and the team's agenda."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import refinement
from agendas.agenda import for_team
from bot.domain.commands import (
    parse_refine,
)
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.blocks import meetings as meeting_blocks
from handlers.blocks import team as team_blocks
from handlers.flows import meetings as meeting_flow
from handlers.listener import listener
from handlers.render import from_slack, render
from handlers.reply import reply


@listener
async def refine_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_refine(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, team_blocks.help_message())
        return
    if parsed.verb == "start":
        await meeting_flow.start(svc, client, context.team_id, channel, user, parsed.minutes)
        return
    done = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "agenda":
                agenda = for_team(team.agendas, "refinement")
                answer = meeting_blocks.agenda_view(agenda, "refinement" in team.agendas, channel)
            case "history":
                answer = meeting_blocks.history(await store.past_meetings(team.id, "refinement"))
            case "status":
                meeting = await meeting_flow.open_meeting(store, team, None)
                answer = meeting_blocks.agenda_message(meeting, now)
            case "goal":
                meeting = await meeting_flow.open_meeting(store, team, None)
                meeting.goal = from_slack(parsed.text)[:300]
                done = meeting_flow.Step(meeting, team, note=None)
                answer = kit.notice(f"Session goal: {meeting.goal}", ":dart:")
            case "note":
                meeting = await meeting_flow.open_meeting(store, team, None)
                owner = parsed.users[0] if parsed.users else None
                action = await refinement.add_action(
                    store, meeting, from_slack(parsed.text), owner, user, now
                )
                answer = kit.mrkdwn_notice(render("action_added.md.j2", action=action))
            case _:
                meeting = await meeting_flow.open_meeting(store, team, None)
                done = await meeting_flow.step(
                    store,
                    team,
                    meeting,
                    parsed.verb,
                    user,
                    now,
                    minutes=parsed.minutes or 5,
                    flag=parsed.flag,
                )
                answer = None
    if done is not None:
        await meeting_flow.announce(svc, client, done)
    if answer is not None:
        await reply(client, body, answer)
