"""The sprint's closing form: the review question, then velocity and the next sprint."""

from __future__ import annotations

from bot.usecases import sprints
from handlers.asked import Asked
from handlers.blocks import sprints as sprint_blocks
from handlers.reply import metadata
from handlers.views import form


@form.submitted(form.required("review", "Answer it, even briefly."))
async def close_sprint(asked: Asked, answer: str) -> None:
    """Closes the sprint the form names, if it is the team's (the form says which)."""
    sprint_id = metadata(asked.body)["sprint"]
    member = asked.in_channel
    closed = await sprints.close_sprint(asked.svc, asked.actor, sprint_id, answer, member)
    announcement = sprint_blocks.sprint_closed(closed)
    await asked.client.chat_postMessage(channel=closed.channel, **announcement)
