"""The App Home tab: for each of the user's channels, the sprint and its goal, their open
tasks, the unready items they own, the poker votes waiting for them and the next meetings."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine
from bot.domain.calendar import local_today, next_planning, working_days_between
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.runtime.services import services
from handlers.blocks.home import POLLS, TeamHome, WaitingVote, home_view
from handlers.listener import listener
from storage.models import BacklogItem, SprintTask, Team
from storage.repositories import Store

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)


@listener
async def home_opened(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    if event.get("tab", "home") != "home":
        return
    svc = services(context)
    user = event["user"]
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        teams = await store.home_teams(context.team_id, user)
        homes = [await team_home(store, team, user, now) for team in teams]
    homes = [await with_links(client, home) for home in homes]
    await client.views_publish(user_id=user, view=home_view(homes, now))


async def team_home(store: Store, team: Team, user: str, now: datetime) -> TeamHome:
    today = local_today(team, now)
    dor = DefinitionOfReady.of(team)
    items = await store.all_items(team.id, include_closed=False)
    owned = [i for i in items if i.owner == user]
    active = await store.sprint(team.id, "active")
    planning = None if active else await store.sprint(team.id, "planning")
    tasks: list[tuple[BacklogItem, SprintTask]] = []
    days_left = None
    if active is not None:
        days_left = working_days_between(
            team, max(today, active.starts_on), active.ends_on + timedelta(days=1)
        )
        for sprint_item in await store.sprint_items(active):
            if sprint_item.done_at is not None:
                continue
            tasks += [
                (sprint_item.item, task)
                for task in sprint_item.tasks
                if task.owner == user and not task.done
            ]
    meeting = await store.open_meeting(team.id)
    return TeamHome(
        team=team,
        today=today,
        roles=tuple(
            role
            for role in ("po", "sm", "dev")
            if any(a.user_id == user and a.role == role for a in team.roles)
        ),
        backlog=len(items),
        owns_items=bool(owned),
        sprint=active,
        planning=planning,
        days_left=days_left,
        tasks=tasks,
        unready=[(i, found) for i in owned if (found := gaps(i, dor))],
        votes=await waiting_votes(store, team, user, now),
        meeting=meeting,
        meeting_section=engine.current(meeting)["title"] if meeting is not None else "",
        # The running sprint was planned already: the next planning opens the one after it.
        next_planning=next_planning(
            team, max(today, active.ends_on + timedelta(days=1)) if active else today
        ),
        next_refinement=await next_refinement(store, team, today),
    )


async def waiting_votes(store: Store, team: Team, user: str, now: datetime) -> list[WaitingVote]:
    """Rounds expecting the user's vote, less those whose deadline passed (being revealed)."""
    waiting = [
        (poll, round_)
        for poll, round_ in await store.polls_awaiting(team.id, user)
        if round_.deadline is None or round_.deadline > now
    ]
    numbers = sorted({round_.item_number for _, round_ in waiting})
    titles = {i.number: i.title for i in await store.items_by_number(team.id, numbers)}
    return [
        WaitingVote(poll, round_, titles.get(round_.item_number, f"item #{round_.item_number}"))
        for poll, round_ in waiting
    ]


async def next_refinement(store: Store, team: Team, today: date) -> date | None:
    """The next session the last refinement agreed on, if it is still ahead."""
    for meeting in await store.past_meetings(team.id, "refinement", limit=1):
        try:
            planned = date.fromisoformat(str(meeting.data.get("next_session") or ""))
        except ValueError:
            return None
        return planned if planned >= today else None
    return None


async def with_links(client: AsyncWebClient, home: TeamHome) -> TeamHome:
    """Links to the poll messages of the votes shown (one permalink per poll)."""
    if not home.votes:
        return home
    links: dict[int, str | None] = {}
    for vote in home.votes[:POLLS]:  # the ones the tab shows
        if vote.poll.id not in links:
            links[vote.poll.id] = await permalink(client, home.team, vote.poll.message_ts)
    votes = [replace(v, link=links.get(v.poll.id)) for v in home.votes]
    return replace(home, votes=votes)


async def permalink(client: AsyncWebClient, team: Team, ts: str | None) -> str | None:
    if not ts:
        return None
    try:
        found: Any = await client.chat_getPermalink(channel=team.channel_id, message_ts=ts)
    except Exception:
        log.warning("no permalink for the poll message %s in %s", ts, team.channel_id)
        return None
    return found.get("permalink")
