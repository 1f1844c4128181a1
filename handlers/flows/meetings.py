"""The Slack side of a running meeting, shared by commands, buttons and timers.

Each step changes the database first (one transaction through the engine), then brings Slack
up to date: the agenda message is edited in place and the section's content goes to its thread.
A Slack call that fails leaves the meeting right; the next update repairs the message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine, planning, refinement
from bot.domain import sprints
from bot.domain.calendar import local_today
from bot.domain.errors import NotAllowed, UserError
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import Services
from handlers.blocks import meetings as meeting_blocks
from handlers.render import escape
from storage.models import Meeting, Team
from storage.repositories import Store

log = logging.getLogger(__name__)

FACILITATE = {
    "next": "move the meeting on",
    "extend": "extend a section",
    "pause": "pause the meeting",
    "resume": "resume the meeting",
    "end": "end the meeting",
    "auto": "switch auto-advance",
}


@dataclass
class Step:
    """What a step changed, for the Slack side to show."""

    meeting: Meeting
    team: Team
    moved: bool = False
    ended: bool = False
    note: str | None = None


def check_facilitator(meeting: Meeting, team: Team, user: str, op: str) -> None:
    sm = Roles.of(team).sm
    if not engine.may_facilitate(meeting, user, sm):
        holders = tuple(dict.fromkeys((meeting.facilitator, *sm)))
        raise NotAllowed(f"Only the facilitator or a Scrum Master can {FACILITATE[op]}.", holders)


async def step(
    store: Store,
    team: Team,
    meeting: Meeting,
    op: str,
    user: str,
    now: datetime,
    *,
    expected: int | None = None,
    minutes: int = 5,
    flag: bool = False,
) -> Step:
    """One facilitation step on an open meeting."""
    check_facilitator(meeting, team, user, op)
    result = Step(meeting, team)
    match op:
        case "next":
            result.moved = await engine.advance(store, meeting, now, expected)
            result.ended = meeting.status == "ended"
            if not result.moved:
                result.note = "Someone moved on already."
        case "extend":
            if expected is not None and expected != meeting.section:
                result.note = "That section is over already."
            else:
                await engine.extend(store, meeting, minutes, user, now)
                result.note = f"+{minutes} min for *{engine.current(meeting)['title']}*."
        case "pause":
            await engine.pause(store, meeting, now)
            result.note = "Paused: the clock stands still."
        case "resume":
            await engine.resume(store, meeting, now)
            result.note = "Resumed."
        case "end":
            await engine.end(store, meeting, now)
            result.ended = True
        case "auto":
            meeting.auto_advance = flag
            result.note = (
                "Sections now move on by themselves at time-up."
                if flag
                else ("Sections wait for the facilitator at time-up.")
            )
    if result.ended:
        meeting.minutes = await minutes_of(store, team, meeting)
    return result


async def minutes_of(store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
    if meeting.kind == "planning":
        return await planning.minutes(store, team, meeting)
    return await refinement.minutes(store, team, meeting)


async def announce(svc: Services, client: AsyncWebClient, done: Step) -> None:
    """Brings Slack in line with a step: the agenda message, then the thread."""
    meeting, team = done.meeting, done.team
    await refresh(client, team, meeting, svc.clock.now())
    if done.note:
        await post(client, team, meeting, meeting_blocks.notice(done.note))
    if done.ended:
        minutes = meeting_blocks.minutes_message(meeting.agenda["name"], meeting.minutes or {})
        await post(client, team, meeting, minutes)
        await client.chat_postMessage(
            channel=team.channel_id,
            text=f"The {escape(meeting.agenda['name'])} has ended; its minutes are in the thread.",
        )
    elif done.moved:
        await open_section(svc, client, team, meeting)


async def refresh(client: AsyncWebClient, team: Team, meeting: Meeting, now: datetime) -> None:
    if meeting.message_ts is None:
        return
    try:
        await client.chat_update(
            channel=team.channel_id,
            ts=meeting.message_ts,
            **meeting_blocks.agenda_message(meeting, now),
        )
    except Exception:  # the next change edits it again
        log.exception("could not update the agenda message of meeting %s", meeting.id)


async def post(
    client: AsyncWebClient, team: Team, meeting: Meeting, payload: dict[str, Any]
) -> Any:
    return await client.chat_postMessage(
        channel=team.channel_id, thread_ts=meeting.message_ts, **payload
    )


async def open_section(svc: Services, client: AsyncWebClient, team: Team, meeting: Meeting) -> None:
    """Posts what the new section works on, by the actions its agenda gives it."""
    actions = engine.current(meeting).get("actions", [])
    async with svc.db.transaction() as store:
        team = await store.team_by_id(team.id)
        dor = DefinitionOfReady.of(team)
        payloads: list[dict[str, Any]] = []
        if "goal" in actions and meeting.kind == "refinement":
            new = await refinement.new_items(store, team)
            deep = await refinement.deep_dive_items(store, team)
            payloads.append(meeting_blocks.kickoff(meeting, len(new), deep))
        if "triage" in actions:
            payloads.append(await triage_next(store, team, meeting))
        if "deep_dive" in actions:
            deep = await refinement.deep_dive_items(store, team)
            if not deep:
                payloads.append(meeting_blocks.notice("Every item near the top is ready."))
            payloads += [
                meeting_blocks.deep_dive_card(meeting, item, team.channel_id, dor, n, len(deep))
                for n, item in enumerate(deep, start=1)
            ]
        if "wrapup" in actions:
            payloads.append(await wrapup_card(svc, store, team, meeting))
        if meeting.kind == "planning":
            from handlers.flows import planning as planning_flow  # it builds on this module

            payloads += await planning_flow.section_content(store, client, team, meeting)
    for payload in payloads:
        await post(client, team, meeting, payload)


async def triage_next(store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
    new = await refinement.new_items(store, team)
    if not new:
        return meeting_blocks.triage_done(None, None, None)
    done = len(meeting.data.get("triaged", []))
    return meeting_blocks.triage_card(meeting, new[0], done + 1, done + len(new))


async def wrapup_card(svc: Services, store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
    now = svc.clock.now()
    became_ready = sorted(
        {
            (item.number, item.title)
            for event, item in await store.item_events_between(team.id, meeting.started_at, now)
            if event.action == "became ready"
        }
    )
    actions = await store.action_items(meeting.id)
    return meeting_blocks.wrapup(meeting, became_ready, actions, local_today(team, now).isoformat())


async def start(
    svc: Services,
    client: AsyncWebClient,
    workspace: str,
    channel: str,
    user: str,
    minutes: int | None,
    kind: str = "refinement",
) -> None:
    """Starts a meeting, posts its agenda message and opens its first section."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(workspace, channel, now)
        if kind == "planning":
            data = {"sprint_id": (await sprints.upcoming(store, team, now)).id}
        else:
            data = {"ready_before": len(await refinement.ready_numbers(store, team))}
        meeting = await engine.start(store, team, kind, user, now, minutes)
        meeting.data = data
        payload = meeting_blocks.agenda_message(meeting, now)
    posted = await client.chat_postMessage(channel=channel, **payload)
    async with svc.db.transaction() as store:
        meeting = await store.meeting(meeting.id)
        meeting.message_ts = posted["ts"]
    await open_section(svc, client, team, meeting)


async def open_meeting(
    store: Store, team: Team, meeting_id: int | None, kind: str = "refinement"
) -> Meeting:
    """The meeting a button or command is about; refuses when it has ended."""
    meeting = (
        await store.meeting(meeting_id)
        if meeting_id is not None
        else await store.open_meeting(team.id)
    )
    wrong_kind = meeting_id is None and meeting is not None and meeting.kind != kind
    if meeting is None or meeting.team_id != team.id or wrong_kind:
        return engine.require_open(None, kind)
    if meeting.status == "ended":
        raise UserError("That meeting has ended. `/refine history` shows its minutes.")
    return meeting
