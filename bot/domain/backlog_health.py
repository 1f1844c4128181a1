"""Backlog health: the usual health-check questions, answered with numbers from the backlog.

A backlog decays quietly: stale items pile up at the bottom, items lose their "why", and the
top stops being refined. Each signal names what to look at, not a score.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.calendar import local_today
from bot.domain.readiness import DefinitionOfReady, Horizon, horizon
from storage.models import BacklogItem, ItemEvent, Sprint, SprintItem, Team

TOP = 10
STALE_SHARE_LIMIT = 20  # percent


@dataclass(frozen=True)
class Signal:
    question: str
    answer: str
    ok: bool | None  # None: not measurable yet


@dataclass(frozen=True)
class Health:
    total: int
    stale: list[BacklogItem]
    stale_days: int
    no_hypothesis: list[BacklogItem]
    horizon: Horizon
    reordered: bool | None
    signals: list[Signal]
    at: datetime  # when it was measured: what its "archive the stale items" button archives

    @property
    def stale_share(self) -> int:
        return round(100 * len(self.stale) / self.total) if self.total else 0

    @property
    def reordered_text(self) -> str:
        if self.reordered is None:
            return "no refinement session recorded yet."
        return "yes." if self.reordered else "no: look at the order before the next one."


def stale_items(
    items: Sequence[BacklogItem], team: Team, now: datetime, planned: Set[int] = frozenset()
) -> list[BacklogItem]:
    """The items not touched for the team's stale days, but those chosen for the sprint being
    planned (ids in `planned`): the plan keeps them, and `/planning drop` lets them go."""
    cutoff = now - timedelta(days=team.graveyard_days)
    return [item for item in items if item.updated_at < cutoff and item.id not in planned]


def reordered_since(events: Sequence[ItemEvent]) -> bool:
    """Whether the backlog was reordered in `events` (those since the last refinement began)."""
    return any(event.action == "moved" for event in events)


def goal_signal(sprint: Sprint | None, sprint_items: Sequence[SprintItem]) -> Signal:
    """How many items of the committed sprint (sprints.committed_sprint) support its goal,
    once there is one."""
    question = "Does every sprint item support the sprint goal?"
    if sprint is None or not sprint_items:
        return Signal(question, "Measured once sprints are recorded with sprint planning.", None)
    supporting = sum(1 for si in sprint_items if si.supports_goal)
    total = len(sprint_items)
    return Signal(
        question,
        f"{supporting} of the {total} item{'s' if total != 1 else ''} of sprint "
        f"{sprint.number} support{'s' if supporting == 1 else ''} its goal.",
        supporting == total,
    )


def backlog_health(
    items: Sequence[BacklogItem],
    team: Team,
    now: datetime,
    *,
    reordered: bool | None = None,
    velocity: float | None = None,
    sprint: Sprint | None = None,
    sprint_items: Sequence[SprintItem] = (),
    planned: Set[int] = frozenset(),
) -> Health:
    """The health check of a backlog: `items` are the team's active items in backlog order;
    `reordered`: whether the top moved since the last refinement (None: no refinement yet);
    `velocity` the team's (None before a sprint closed); `sprint` the committed one
    (sprints.committed_sprint), with its `sprint_items`; `planned`: the ids of the items
    chosen for the sprint being planned, which are not counted stale."""
    items = list(items)
    dor = DefinitionOfReady.of(team)
    current = horizon(items, dor, velocity, local_today(team, now))
    stale = stale_items(items, team, now, planned)
    no_hypothesis = [item for item in items if not item.hypothesis.strip()]
    top = items[:TOP]
    valued = sum(1 for item in top if item.hypothesis.strip())
    ready_in_horizon = len(current.items) - len(current.unready) - len(current.snoozed)
    open_dependencies = sum(
        1 for item in current.items for d in item.dependencies if not d.get("resolved")
    )
    stale_share = round(100 * len(stale) / len(items)) if items else 0
    signals = [
        Signal(
            "Is the backlog ordered by value?",
            f"{valued} of the top {len(top)} items say what value they expect.",
            valued == len(top),
        ),
        Signal(
            "Are the top items refined enough for planning?",
            f"{ready_in_horizon} of the {len(current.items)} items in the planning horizon are "
            "ready.",
            ready_in_horizon == len(current.items),
        ),
        Signal(
            "Are dependencies visible before commitment?",
            f"{open_dependencies} unresolved dependenc{'y' if open_dependencies == 1 else 'ies'} "
            "in the planning horizon, each named on its item.",
            open_dependencies == 0,
        ),
        Signal(
            "Is the bottom of the backlog still alive?",
            f"{stale_share}% of the items were not touched for {team.graveyard_days} days.",
            stale_share < STALE_SHARE_LIMIT,
        ),
        goal_signal(sprint, sprint_items),
    ]
    return Health(
        len(items), stale, team.graveyard_days, no_hypothesis, current, reordered, signals, now
    )
