"""`/refine`: the timeboxed refinement session and the team's agenda."""

from __future__ import annotations

from bot.domain.commands import RefineCommand, parse_refine
from bot.usecases import meetings
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import meetings as meeting_blocks
from handlers.commands.calendar import schedule
from handlers.commands.meeting import clock_verbs
from handlers.flows import meetings as meeting_flow


async def _goal(asked: Asked, parsed: RefineCommand) -> None:
    """The goal on the agenda message and its note in the thread at once, as the form does."""
    done = await meetings.set_goal(asked.svc, asked.actor, parsed.text, asked.in_channel)
    await meeting_flow.announce(asked.svc, asked.client, done)
    await asked.answer(meeting_blocks.goal_answer(done.meeting.goal))


async def _note(asked: Asked, parsed: RefineCommand) -> None:
    """The action item's note in the thread at once, as the form sends it."""
    owner = parsed.users[0] if parsed.users else None
    text, member = parsed.text, asked.in_channel
    done = await meetings.add_action(asked.svc, asked.actor, text, owner, member)
    await meeting_flow.announce(asked.svc, asked.client, done)
    assert done.note is not None
    await asked.answer(meeting_blocks.action_answer(done.note.action))


VERBS: dict[str, Verb[RefineCommand]] = {
    **clock_verbs("refinement"),
    "help": show_help,
    "goal": _goal,
    "note": _note,
    "schedule": schedule,
}

refine_command = slash_command(parse_refine, VERBS)
