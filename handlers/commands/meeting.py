"""What `/refine`, `/planning` and `/review` share: the timeboxed meeting's clock and record
(start, status, next, extend, pause, resume, end, auto, history) and its agenda, for one
meeting kind."""

from __future__ import annotations

from typing import Any

from bot.usecases import meetings
from handlers.asked import Asked, Verb
from handlers.blocks import meetings as meeting_blocks
from handlers.flows import meetings as meeting_flow

STEPS = ("next", "extend", "pause", "resume", "end", "auto")


def clock_verbs(kind: str) -> dict[str, Verb[Any]]:
    """The shared verbs of the `kind` meeting's command, as a dispatch table to merge."""

    async def start(asked: Asked, parsed: Any) -> None:
        where = asked.actor, kind, parsed.minutes
        await meeting_flow.start(asked.svc, asked.client, *where, asked.in_channel)

    async def status(asked: Asked, parsed: Any) -> None:
        meeting = await meetings.status(asked.svc, asked.actor, kind)
        await asked.answer(meeting_blocks.agenda_message(meeting, asked.svc.clock.now()))

    async def step(asked: Asked, parsed: Any) -> None:
        """next, extend, pause, resume, end, auto (the facilitator's or a Scrum Master's); a
        bare `extend` adds the use case's default. A `next` or `extend` names the section
        running as it is read, as a button does: two typed at once move on once."""
        verb, minutes, flag = parsed.verb, parsed.minutes, getattr(parsed, "flag", False)
        expected = None
        if verb in meetings.GUARDED:
            expected = await meetings.section_now(asked.svc, asked.actor, kind)
        done = await meetings.step(
            asked.svc,
            asked.actor,
            verb,
            asked.in_channel,
            kind=kind,
            minutes=minutes,
            flag=flag,
            expected=expected,
            typed=True,
        )
        await meeting_flow.stepped(asked, done)

    async def history(asked: Asked, parsed: Any) -> None:
        past = await meetings.history(asked.svc, asked.actor, kind)
        await asked.answer(meeting_blocks.history(past.meetings, kind, past.zone))

    async def agenda(asked: Asked, parsed: Any) -> None:
        """The kind's agenda with the buttons that change it (the PO's or a Scrum Master's)."""
        shown = await meetings.show_agenda(asked.svc, asked.actor, kind)
        await asked.answer(meeting_blocks.agenda_shown(shown))

    return {
        "start": start,
        "status": status,
        "history": history,
        "agenda": agenda,
        **dict.fromkeys(STEPS, step),
    }
