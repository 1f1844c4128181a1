"""Sprint planning as a meeting: what its sections open, how the plan changes while it runs,
and the minutes of a planning meeting.

Plain rules on rows the caller read (bot/usecases/planning.py reads and writes them; the
sprint's own rules are bot/domain/sprints.py's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agendas import engine
from agendas.kinds import People
from bot.domain import sprints
from bot.domain.capacity import Capacity
from bot.domain.errors import UserError
from bot.domain.teams import Present, Roles
from storage.models import BacklogItem, Meeting, Sprint, SprintItem, Team

# -- what a section opens ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanState:
    """Where the plan stands: the selection against the team's capacity."""

    sprint: Sprint
    items: tuple[SprintItem, ...]
    capacity: Capacity
    closed_sprints: int


@dataclass(frozen=True)
class GoalSection:
    sprint: Sprint


@dataclass(frozen=True)
class SelectionSection:
    sprint: Sprint
    proposal: tuple[BacklogItem, ...]
    forecast: float | None
    over: BacklogItem | None = None
    """With no proposal: the top ready item, larger than the forecast on its own."""


STATE_ACTIONS = ("capacity", "breakdown", "commit")
"""The actions whose section shows where the plan stands, each in its own way."""


@dataclass(frozen=True)
class StateSection:
    """The capacity, breakdown or commit section (`action`): the plan as it stands."""

    action: str
    state: PlanState


def developers(team: Team, people: People | None) -> list[str]:
    """The team's Developers in the channel (`developers_present`)."""
    return list(developers_present(team, people).counted)


def developers_present(team: Team, people: People | None) -> Present:
    """The team's Developers: named ones who are in the channel, or everyone in it but PO, SM
    and the bot; and those named who are not in it (`outside`: not counted). Without the
    channel's people (None, or Slack could not say) every named one counts."""
    members = None
    if people is not None and people.known:
        members = [m for m in people.members if m != people.bot]
    return Roles.of(team).developers_present(members)


def sprint_named(team: Team, sprint: Sprint) -> dict[str, Any]:
    """The sprint a planning plans, as its meeting keeps it (`data["sprint"]`) for its card:
    its number, first day and last working day (as the commitment's summary shows them)."""
    return {
        "number": sprint.number,
        "starts_on": sprint.starts_on.isoformat(),
        "ends_on": sprints.last_day(team, sprint).isoformat(),
    }


def require_planning(sprint: Sprint) -> Sprint:
    """A sprint whose plan may still change."""
    if sprint.status != "planning":
        raise UserError(
            f"Sprint {sprint.number} is committed: change it with "
            "`/sprint add|remove <n> <reason>`."
        )
    return sprint


# -- changing the selection ----------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """A sprint backlog as chosen: item numbers in order, those serving the goal, and the
    reasons for unready ones taken anyway."""

    numbers: tuple[int, ...]
    supporting: frozenset[int] = frozenset()
    overrides: Mapping[int, str] = field(default_factory=dict)


def current(chosen: Iterable[SprintItem]) -> Selection:
    chosen = list(chosen)
    return Selection(
        numbers=tuple(si.item.number for si in chosen),
        supporting=frozenset(si.item.number for si in chosen if si.supports_goal),
        overrides={si.item.number: si.override_reason or "" for si in chosen},
    )


def with_item(selection: Selection, number: int, reason: str) -> Selection:
    """`/planning add <n> [reason]`: the item joins the plan, serving the goal. One in the
    plan already is marked as serving the goal and takes a reason given; the plan is the same
    when it already did and no new reason is given (the use case then says nothing changed)."""
    if number in selection.numbers:
        reason = reason or selection.overrides.get(number, "")
    return Selection(
        numbers=selection.numbers if number in selection.numbers else (*selection.numbers, number),
        supporting=selection.supporting | {number},
        overrides={**selection.overrides, number: reason},
    )


def without_item(selection: Selection, number: int) -> Selection:
    """`/planning drop <n>`: the item leaves the plan."""
    return Selection(
        numbers=tuple(n for n in selection.numbers if n != number),
        supporting=selection.supporting - {number},
        overrides={n: r for n, r in selection.overrides.items() if n != number},
    )


def from_form(
    items: Sequence[int], goal_items: Iterable[int], override: int | None, reason: str
) -> Selection:
    """The selection form: ready items, those serving the goal, and one unready item taken
    with a reason."""
    numbers = tuple(items) + ((override,) if override else ())
    return Selection(
        numbers=numbers,
        supporting=frozenset(goal_items),
        overrides={override: reason} if override else {},
    )


def proposed_selection(current_items: Sequence[SprintItem], proposal: Sequence[int]) -> Selection:
    """What the selection form starts with: the plan so far, or the proposal if it is empty
    (then every proposed item serves the goal)."""
    if not current_items:
        return Selection(tuple(proposal), frozenset(proposal))
    chosen = current(current_items)
    return Selection(chosen.numbers, chosen.supporting or frozenset(chosen.numbers))


# -- minutes -------------------------------------------------------------------------------------


def minutes(meeting: Meeting, sprint: Sprint | None, items: Sequence[SprintItem]) -> dict[str, Any]:
    summary = None
    if sprint is not None:
        summary = {
            "number": sprint.number,
            "status": sprint.status,
            "goal": sprint.goal,
            "items": len(items),
            "points": sprints.points_of(items),
            "forecast": (sprint.capacity or {}).get("forecast"),
            "chosen": [[si.item.number, si.item.title, si.item.estimate] for si in items],
        }
    return {
        "goal": sprint.goal if sprint else "",
        **engine.timing(meeting),
        "sprint": summary,
    }
