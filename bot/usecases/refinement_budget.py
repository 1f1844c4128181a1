"""The refinement budget of a team's sprint, read for the refinement minutes, `/backlog health`
and the App Home: the sprint's ended refinement sessions against the team's share of its
capacity (the rule is bot/domain/refinement_budget.py's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from agendas import engine
from bot.domain import refinement_budget as rules
from bot.domain import sprints
from bot.domain.calendar import local_today
from storage.models import Meeting, Sprint, Team
from storage.repositories import Store


async def committed(store: Store, team: Team, now: datetime) -> Sprint | None:
    """The committed sprint (sprints.committed_sprint: the one whose dates hold today, else
    the latest); None before the team's first commitment."""
    recent = await store.sprints(team.id, limit=sprints.RECENT_SPRINTS)
    return sprints.committed_sprint(recent, local_today(team, now))


async def sprint_budget(store: Store, team: Team, now: datetime) -> rules.Budget | None:
    """The budget today's refinements count in; None between sprints and before the team's
    first commitment."""
    return await _held_on(store, team, local_today(team, now), now)


async def session_budget(store: Store, team: Team, meeting: Meeting) -> rules.Budget | None:
    """The budget an ended session counts in, as it stands at its end; None between sprints."""
    assert meeting.ended_at is not None
    return await _held_on(store, team, local_today(team, meeting.started_at), meeting.ended_at)


async def _held_on(store: Store, team: Team, day: date, now: datetime) -> rules.Budget | None:
    """The budget of the sprint a refinement held on `day` counts in
    (sprints.refinement_sprint), as it stands `now`."""
    recent = await store.sprints(team.id, limit=sprints.RECENT_SPRINTS)
    sprint = sprints.refinement_sprint(recent, day)
    return None if sprint is None else await counted(store, team, sprint, now)


async def counted(store: Store, team: Team, sprint: Sprint, now: datetime) -> rules.Budget:
    """The sprint's ended refinement sessions against its budget, as they stand `now`: the
    time each ran, its pauses not counted. The App Home shows its running sprint's (or the
    one committed ahead of its slot, about to start): the one the team is in or about to
    start; a sprint closed (early) has its budget as history, not a warning."""
    # a day either side: the sessions' local dates are the domain's to judge
    start = datetime.combine(sprint.starts_on - timedelta(days=1), datetime.min.time(), now.tzinfo)
    end = datetime.combine(sprint.ends_on + timedelta(days=2), datetime.min.time(), now.tzinfo)
    held = await store.ended_meetings_between(team.id, "refinement", start, end)
    sessions = [rules.Session(m.started_at, engine.ran(m)) for m in held]
    return rules.budget(team, sprint, sessions, local_today(team, now))


def as_data(budget: rules.Budget | None) -> dict[str, Any] | None:
    """The budget as the minutes keep it."""
    if budget is None:
        return None
    return {
        "sprint": budget.sprint_number,
        "spent": budget.spent_minutes,
        "budget": budget.budget_minutes,
        "share": round(100 * budget.share, 1),
        "spent_share": round(100 * budget.spent_share, 1),
        "status": budget.status,
        "sessions": budget.sessions,
    }
