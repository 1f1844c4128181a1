"""The sprint's closing form: the review question, then velocity and the next sprint."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.usecases import sprints
from handlers.asked import Asked
from handlers.blocks import sprints as sprint_blocks
from handlers.listener import listener
from handlers.reply import metadata
from handlers.views import form


@listener
async def close_sprint(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Closes the sprint the form names, if it is the team's (the form says which)."""
    answer = form.text(form.fields(body), "review")
    if not answer:
        await ack(response_action="errors", errors={"review": "Answer it, even briefly."})
        return
    await ack()
    asked = Asked.of(body, client, context)
    closed = await sprints.close_sprint(asked.svc, asked.actor, metadata(body)["sprint"], answer)
    await client.chat_postMessage(channel=closed.channel, **sprint_blocks.sprint_closed(closed))
    await asked.tell(closed.notices)
