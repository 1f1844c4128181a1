"""The sprint's closing form: the review question, then velocity and the next sprint."""

from __future__ import annotations

from bot.usecases import sprints
from handlers.asked import Asked
from handlers.reply import metadata
from handlers.views import form


@form.submitted(form.required("review", "Answer it, even briefly."))
async def close_sprint(asked: Asked, answer: str) -> None:
    """Closes the sprint the form names, if it is the team's (the form says which); the
    channel is told through the outbox."""
    sprint_id = metadata(asked.body)["sprint"]
    await sprints.close_sprint(asked.svc, asked.actor, sprint_id, answer, asked.in_channel)
