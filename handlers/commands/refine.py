"""`/refine`: the timeboxed refinement session and the team's agenda."""

from __future__ import annotations

from bot.domain.commands import RefineCommand, parse_refine
from bot.usecases import meetings
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.blocks import meetings as meeting_blocks
from handlers.commands.calendar import schedule
from handlers.flows import meetings as meeting_flow
from handlers.render import from_slack


async def _start(asked: Asked, parsed: RefineCommand) -> None:
    where = asked.actor, "refinement", parsed.minutes
    await meeting_flow.start(asked.svc, asked.client, *where, asked.in_channel)


async def _agenda(asked: Asked, parsed: RefineCommand) -> None:
    await asked.answer(
        meeting_blocks.agenda_shown(await meetings.show_agenda(asked.svc, asked.actor))
    )


async def _history(asked: Asked, parsed: RefineCommand) -> None:
    await asked.answer(meeting_blocks.history(await meetings.history(asked.svc, asked.actor)))


async def _status(asked: Asked, parsed: RefineCommand) -> None:
    meeting = await meetings.status(asked.svc, asked.actor)
    await asked.answer(meeting_blocks.agenda_message(meeting, asked.svc.clock.now()))


async def _goal(asked: Asked, parsed: RefineCommand) -> None:
    goal = from_slack(parsed.text)
    done = await meetings.set_goal(asked.svc, asked.actor, goal, asked.in_channel)
    await meeting_flow.refresh(asked.client, done.team, done.meeting, asked.svc.clock.now())
    await asked.answer(meeting_blocks.goal_answer(done.meeting.goal))


async def _note(asked: Asked, parsed: RefineCommand) -> None:
    owner = parsed.users[0] if parsed.users else None
    text, member = from_slack(parsed.text), asked.in_channel
    done = await meetings.add_action(asked.svc, asked.actor, text, owner, member)
    assert done.note is not None
    await asked.answer(meeting_blocks.action_answer(done.note.action))


async def _step(asked: Asked, parsed: RefineCommand) -> None:
    """next, extend, pause, resume, end, auto."""
    done = await meetings.step(
        asked.svc,
        asked.actor,
        parsed.verb,
        asked.in_channel,
        minutes=parsed.minutes or 5,
        flag=parsed.flag,
    )
    await meeting_flow.announce(asked.svc, asked.client, done)


VERBS: dict[str, Verb[RefineCommand]] = {
    "help": show_help,
    "start": _start,
    "agenda": _agenda,
    "history": _history,
    "status": _status,
    "goal": _goal,
    "note": _note,
    "schedule": schedule,
    **dict.fromkeys(("next", "extend", "pause", "resume", "end", "auto"), _step),
}

refine_command = slash_command(parse_refine, VERBS)
