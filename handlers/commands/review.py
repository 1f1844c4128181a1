"""`/review`: the sprint review as a timeboxed meeting, from the keyboard (its cards carry
the verdicts, the follow-ups and the goal's answer)."""

from __future__ import annotations

from bot.domain.commands import SprintCommand, parse_review
from bot.usecases import meetings
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import meetings as meeting_blocks
from handlers.flows import meetings as meeting_flow


async def _start(asked: Asked, parsed: SprintCommand) -> None:
    where = asked.actor, "review", parsed.minutes
    await meeting_flow.start(asked.svc, asked.client, *where, asked.in_channel)


async def _status(asked: Asked, parsed: SprintCommand) -> None:
    meeting = await meetings.status(asked.svc, asked.actor, "review")
    await asked.answer(meeting_blocks.agenda_message(meeting, asked.svc.clock.now()))


async def _step(asked: Asked, parsed: SprintCommand) -> None:
    """next, extend, pause, resume, end."""
    minutes = parsed.minutes or 5
    done = await meetings.step(
        asked.svc, asked.actor, parsed.verb, asked.in_channel, kind="review", minutes=minutes
    )
    await meeting_flow.announce(asked.svc, asked.client, done)


async def _history(asked: Asked, parsed: SprintCommand) -> None:
    past = await meetings.history(asked.svc, asked.actor, "review")
    await asked.answer(meeting_blocks.history(past, "review"))


VERBS: dict[str, Verb[SprintCommand]] = {
    "help": show_help,
    "start": _start,
    "status": _status,
    "history": _history,
    **dict.fromkeys(("next", "extend", "pause", "resume", "end"), _step),
}

review_command = slash_command(parse_review, VERBS)
