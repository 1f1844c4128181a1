"""The Slack side of sprint planning: each section's work in the meeting thread, and the plan."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine
from bot.domain import sprints
from bot.domain.capacity import Capacity
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.domain.teams import Roles
from bot.runtime.services import Services
from handlers.blocks import sprints as sprint_blocks
from handlers.common import channel_members
from handlers.flows import meetings as meeting_flow
from handlers.render import render
from storage.models import Meeting, Sprint, Team
from storage.repositories import Store

_bot_users: dict[str, str] = {}


async def bot_user_id(client: AsyncWebClient) -> str:
    """The bot's own user id (asked once per token), so it never counts as a developer."""
    token = client.token or ""
    if token not in _bot_users:
        _bot_users[token] = (await client.auth_test())["user_id"]
    return _bot_users[token]


async def developers(client: AsyncWebClient, team: Team) -> list[str]:
    """The team's Developers: named ones, or everyone in the channel but PO, SM and the bot."""
    roles = Roles.of(team)
    if roles.dev:
        return list(roles.dev)
    members = await channel_members(client, team.channel_id)
    bot = await bot_user_id(client)
    return [m for m in roles.developers(members) if m != bot]


async def plan(
    store: Store, team: Team, sprint: Sprint, devs: list[str]
) -> tuple[list[Any], Capacity, str]:
    items = await store.sprint_items(sprint)
    cap = await sprints.capacity(store, team, sprint, devs)
    closed = len(await store.closed_sprints(team.id, 3))
    return items, cap, sprint_blocks.plan_status(sprint, items, cap, closed)


async def section_content(
    store: Store, client: AsyncWebClient, team: Team, meeting: Meeting
) -> list[dict[str, Any]]:
    """What a planning section works on, by the actions its agenda gives it."""
    sprint = await store.sprint_by_id(meeting.data["sprint_id"])
    if sprint is None:
        return []
    actions = engine.current(meeting).get("actions", [])
    devs = await developers(client, team)
    items, cap, status = await plan(store, team, sprint, devs)
    payloads: list[dict[str, Any]] = []
    if "goal" in actions:
        payloads.append(sprint_blocks.section_goal(sprint))
    if "selection" in actions:
        proposal = await sprints.proposal(store, team, cap.forecast)
        payloads.append(sprint_blocks.section_selection(sprint, proposal, cap.forecast))
    if "capacity" in actions:
        payloads.append(sprint_blocks.section_capacity(status, sprint))
    if "breakdown" in actions:
        payloads.append(sprint_blocks.section_breakdown(sprint, items))
    if "commit" in actions:
        payloads.append(sprint_blocks.section_commit(sprint, status))
    return payloads


async def planning_sprint(store: Store, team: Team, sprint_id: int) -> Sprint:
    sprint = await store.sprint_by_id(sprint_id)
    if sprint is None or sprint.team_id != team.id:
        raise UserError("That sprint is not in this channel.")
    if sprint.status != "planning":
        raise UserError(
            f"Sprint {sprint.number} is committed: change it with "
            "`/sprint add|remove <n> <reason>`."
        )
    return sprint


async def selection_lists(store: Store, team: Team) -> tuple[list[Any], list[Any]]:
    dor = DefinitionOfReady.of(team)
    ordered = list(await store.all_items(team.id, include_closed=False))
    return [i for i in ordered if not gaps(i, dor)], [i for i in ordered if gaps(i, dor)]


async def post_plan(
    svc: Services, client: AsyncWebClient, team: Team, sprint: Sprint, note: str
) -> None:
    """After a change to the plan: the note and where the plan stands, in the meeting thread."""
    devs = await developers(client, team)
    async with svc.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint.id)
        _, _, status = await plan(store, team, sprint, devs)
        meeting = await store.open_meeting(team.id)
    text = f"{note}\n{status}"
    payload = sprint_blocks.notice(text)
    if meeting is not None and meeting.kind == "planning" and meeting.message_ts:
        await meeting_flow.post(client, team, meeting, payload)
    else:
        await client.chat_postMessage(channel=team.channel_id, **payload)


async def committed(svc: Services, client: AsyncWebClient, team: Team, sprint: Sprint) -> None:
    """The sprint is recorded: a summary to the channel, and the planning meeting ends."""
    async with svc.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint.id)
        count = len(await store.sprint_items(sprint))
        text = render("sprint_committed.md.j2", sprint=sprint, count=count)
        meeting = await store.open_meeting(team.id)
        done = None
        if meeting is not None and meeting.kind == "planning":
            await engine.end(store, meeting, svc.clock.now())
            meeting.minutes = await meeting_flow.minutes_of(store, team, meeting)
            done = meeting_flow.Step(meeting, team, ended=True)
    await client.chat_postMessage(channel=team.channel_id, **sprint_blocks.notice(text))
    if done is not None:
        await meeting_flow.announce(svc, client, done)
