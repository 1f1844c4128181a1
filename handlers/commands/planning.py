"""`/planning`: sprint planning as a timeboxed meeting, from the keyboard."""

from __future__ import annotations

from bot.domain.commands import SprintCommand, parse_planning
from bot.usecases import planning
from handlers.asked import Asked, Verb, show_help, slash_command
from handlers.commands.calendar import schedule
from handlers.commands.meeting import clock_verbs
from handlers.flows import planning as planning_flow
from handlers.flows.meetings import channel_people


async def _goal(asked: Asked, parsed: SprintCommand) -> None:
    people = await channel_people(asked.client, asked.actor.channel)
    await planning_flow.plan_changed(
        asked, await planning.set_goal(asked.svc, asked.actor, people, parsed.text)
    )


async def _add(asked: Asked, parsed: SprintCommand) -> None:
    people = await channel_people(asked.client, asked.actor.channel)
    number, reason = parsed.number or 0, parsed.text
    changed = await planning.add_item(asked.svc, asked.actor, people, number, reason)
    await planning_flow.plan_changed(asked, changed)


async def _drop(asked: Asked, parsed: SprintCommand) -> None:
    people = await channel_people(asked.client, asked.actor.channel)
    changed = await planning.drop_item(asked.svc, asked.actor, people, parsed.number or 0)
    await planning_flow.plan_changed(asked, changed)


async def _commit(asked: Asked, parsed: SprintCommand) -> None:
    """`commit` (a developer) or `commit team` (a Scrum Master, for the team)."""
    people = await channel_people(asked.client, asked.actor.channel)
    for_team = parsed.verb == "commit_team"
    done = await planning.commit(asked.svc, asked.actor, people, for_team=for_team)
    await planning_flow.committed(asked, done)


VERBS: dict[str, Verb[SprintCommand]] = {
    **clock_verbs("planning"),
    "help": show_help,
    "goal": _goal,
    "add": _add,
    "drop": _drop,
    "commit": _commit,
    "commit_team": _commit,
    "schedule": schedule,
}

planning_command = slash_command(parse_planning, VERBS)
