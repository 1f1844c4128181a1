"""The sprint's closing form: the review question, then velocity and the next sprint."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import sprints, teams
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.listener import listener
from handlers.render import render
from handlers.reply import metadata
from handlers.views import form


@listener
async def close_sprint(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    answer = form.text(form.fields(body), "review")
    if not answer:
        await ack(response_action="errors", errors={"review": "Answer it, even briefly."})
        return
    await ack()
    svc = services(context)
    meta, now = metadata(body), svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "close the sprint")
        closing = await sprints.close(store, team, context.user_id, now, answer)
        velocity = await sprints.team_velocity(store, team)
        text = render("sprint_closed.md.j2", closing=closing, velocity=velocity)
    await client.chat_postMessage(channel=team.channel_id, **kit.mrkdwn_notice(text))
