"""A user's Home tab: for each of their teams in the workspace, the sprint and its goal, their
open tasks, the unready items they own, the poker votes waiting for them and the next
meetings (the scheduled ceremonies of the coming week first, at their local time)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from agendas import engine
from bot.domain import ceremonies, sprints
from bot.domain.calendar import local_today
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.domain.teams import ROLE_NAMES, Roles
from bot.runtime.services import Services
from bot.usecases.poker import items_off_backlog
from bot.usecases.refinement_budget import as_data, counted
from bot.usecases.team import InChannel
from storage.models import (
    BacklogItem,
    Meeting,
    PokerPoll,
    PokerRound,
    Sprint,
    SprintTask,
    Team,
)
from storage.repositories import Store


@dataclass(frozen=True)
class WaitingVote:
    poll: PokerPoll
    round: PokerRound
    title: str
    link: str | None = None  # the poll message, when Slack gave a permalink


@dataclass(frozen=True)
class TeamHome:
    """What one channel shows on a user's Home tab."""

    team: Team
    today: date  # in the team's time zone
    roles: tuple[str, ...]  # po / sm / dev the user holds: named, or through a user group
    backlog: int  # items on the product backlog
    owns_items: bool  # the user owns an item on the backlog
    sprint: Sprint | None = None  # the active one
    planning: Sprint | None = None  # the one being planned
    days_left: int | None = None  # working days left in the active sprint (sprints.days_left)
    tasks: Sequence[tuple[BacklogItem, SprintTask]] = ()
    unready: Sequence[tuple[BacklogItem, Sequence[str]]] = ()  # item, its gaps
    votes: Sequence[WaitingVote] = ()
    meeting: Meeting | None = None  # running or paused now
    meeting_section: str = ""
    next_planning: date | None = None
    next_refinement: date | None = None
    # the budget of the running sprint, or the one about to start (refinement_budget.counted)
    refinement_budget: dict[str, Any] | None = None
    coming: Sequence[ceremonies.Occurrence] = ()  # scheduled ceremonies, the next few, in order


@dataclass(frozen=True)
class Home:
    now: datetime
    teams: list[TeamHome]


CHANNELS_ASKED = 20
"""At most this many channels are Slack asked about (one conversations.members call each) for
one Home tab: those of the workspace's teams whose Developers are everyone else in the channel
and that the user is in no other way; a workspace with more shows the first ones."""


async def home(
    svc: Services, workspace: str, user: str, in_channel: InChannel | None = None
) -> Home:
    """The user's Home tab: the teams they work in (README, App Home): a role of theirs
    (named, or through a user group), and the teams whose Developers are everyone else in a
    channel they are in (`in_channel` asks Slack, outside any transaction, at most
    CHANNELS_ASKED times). Where someone else holds the roles, an item, task or vote of
    theirs shows no team (`home_teams`). A team of theirs whose poll waits for their vote is
    asked about too: someone who has left its channel is not asked to vote there (their vote
    would be refused)."""
    now = svc.clock.now()
    joined: list[str] = []
    away: set[str] = set()
    if in_channel is not None:
        async with svc.db.transaction() as store:
            known = await store.home_teams(workspace, user)
            voting = [t.channel_id for t in known if await store.polls_awaiting(t.id, user)]
            ids = {team.id for team in known}
            unknown = [t.channel_id for t in await store.open_teams(workspace) if t.id not in ids]
        asked = [*voting, *unknown][:CHANNELS_ASKED]
        found = await asyncio.gather(*(in_channel(channel, user) for channel in asked))
        member = dict(zip(asked, found, strict=True))
        joined = [channel for channel in unknown if member.get(channel)]
        away = {channel for channel in voting if member.get(channel) is False}
    async with svc.db.transaction() as store:
        teams = await store.home_teams(workspace, user, joined)
        return Home(
            now,
            [
                await team_home(
                    store, t, user, now, t.channel_id in joined, votes=t.channel_id not in away
                )
                for t in teams
            ],
        )


async def team_home(
    store: Store,
    team: Team,
    user: str,
    now: datetime,
    developer: bool = False,
    *,
    votes: bool = True,
) -> TeamHome:
    """What the team shows on the user's Home tab; `developer`: they are one by default
    (Slack said they are in its channel, whose Developers are everyone else); `votes`: the
    votes waiting for them (not once Slack said they have left the channel)."""
    today = local_today(team, now)
    dor = DefinitionOfReady.of(team)
    items = await store.all_items(team.id, include_closed=False)
    owned = [i for i in items if i.owner == user]
    active = await store.sprint(team.id, "active")
    planning = None if active else await store.sprint(team.id, "planning")
    tasks: list[tuple[BacklogItem, SprintTask]] = []
    days_left = None
    if active is not None:
        days_left = sprints.days_left(team, active, today)
        for sprint_item in await store.sprint_items(active):
            if sprint_item.done_at is not None:
                continue
            tasks += [
                (sprint_item.item, task)
                for task in sprint_item.tasks
                if task.owner == user and not task.done
            ]
    meeting = await store.open_meeting(team.id)
    named = Roles.of(team)
    return TeamHome(
        team=team,
        today=today,
        roles=tuple(
            role for role in ROLE_NAMES if named.has(user, role) or (developer and role == "dev")
        ),
        backlog=len(items),
        owns_items=bool(owned),
        sprint=active,
        planning=planning,
        days_left=days_left,
        tasks=tasks,
        unready=[(i, found) for i in owned if (found := gaps(i, dor))],
        votes=await waiting_votes(store, team, user, now) if votes else [],
        meeting=meeting,
        meeting_section=engine.current(meeting)["title"] if meeting is not None else "",
        next_planning=await next_planning(store, team, active, today),
        next_refinement=await next_refinement(store, team, today),
        refinement_budget=as_data(await counted(store, team, active, now)) if active else None,
        coming=await coming_ceremonies(store, team, now),
    )


async def coming_ceremonies(
    store: Store, team: Team, now: datetime, count: int = 3
) -> list[ceremonies.Occurrence]:
    """The team's next scheduled ceremonies in the coming week (skipped ones left out)."""
    scheduled = await store.ceremonies(team.id)
    if not scheduled:
        return []
    recent = await store.sprints(team.id, limit=sprints.RECENT_SPRINTS)
    found = ceremonies.coming(team, scheduled, now, days=7, recent=recent)
    return [o for o in found if not o.skipped][:count]


async def waiting_votes(store: Store, team: Team, user: str, now: datetime) -> list[WaitingVote]:
    """Rounds expecting the user's vote, less those whose deadline passed (being revealed)
    and those whose item left the backlog (`off_backlog`: their poll takes no vote on it)."""
    waiting = [
        (poll, round_)
        for poll, round_ in await store.polls_awaiting(team.id, user)
        if round_.deadline is None or round_.deadline > now
    ]
    numbers = {round_.item_number for _, round_ in waiting}
    items, off = await items_off_backlog(store, team.id, numbers)
    return [
        WaitingVote(poll, round_, items[round_.item_number].title)
        for poll, round_ in waiting
        if round_.item_number not in off
    ]


async def next_planning(
    store: Store, team: Team, active: Sprint | None, today: date
) -> date | None:
    """The next sprint planning that will be held: the scheduled one's next occurrence not
    skipped nor planned early (a running sprint was planned already, that morning maybe, so
    it is one after the sprint's first day), else the sprint calendar's next first day
    (ceremonies.next_sprint_planning)."""
    scheduled = await store.ceremony(team.id, "planning")
    if scheduled is None or team.sprint_start is None:
        return ceremonies.next_sprint_planning(team, scheduled, active, today)
    day = max(today, active.starts_on + timedelta(days=1)) if active else today
    after = ceremonies.local(team, day, time.min) - timedelta(microseconds=1)
    recent = await store.sprints(team.id, limit=sprints.RECENT_SPRINTS)
    held = ceremonies.next_held(team, scheduled, after, 1, recent, today)
    return held[0].starts.date() if held else None


async def next_refinement(store: Store, team: Team, today: date) -> date | None:
    """The next session the last refinement agreed on, if it is still ahead and the team's
    calendar has not skipped the scheduled refinement of that day."""
    for meeting in await store.past_meetings(team.id, "refinement", limit=1):
        try:
            planned = date.fromisoformat(str(meeting.data.get("next_session") or ""))
        except ValueError:
            return None
        if planned < today:
            return None
        scheduled = await store.ceremony(team.id, "refinement")
        found = None
        if scheduled is not None:
            found = ceremonies.occurrence_of(team, scheduled, planned, with_skipped=True)
        return None if found is not None and found.skipped else planned
    return None
