"""Linear's JSON as the domain's records, and no I/O: what a team is (its workflow states, its
cycles, its estimate scale: ``TeamConfig``), an issue (``issue_of``: a label with a type's name is
its type, its state's type its status category (canceled or duplicate: closed as not
planned), its ``sortOrder`` its rank token, its cycle the
sprint it is planned in; an issue with sub-issues is their epic, as its sub-issues say), a cycle
as a sprint (``sprint_of``), and an estimate checked against the team's scale
(``scale_estimate``).
The client (bot/trackers/linear.py) makes the calls and hands the JSON here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.domain import trackers
from bot.domain.estimate_scales import SCALE_NAMES, TSHIRT, allowed_estimates
from bot.trackers.http import parse_time
from bot.trackers.linear_queries import BACKLOG_STATES
from bot.trackers.markdown import split_body

_CATEGORIES = {
    "triage": trackers.StatusCategory.TODO,
    "backlog": trackers.StatusCategory.TODO,
    "unstarted": trackers.StatusCategory.TODO,
    "started": trackers.StatusCategory.IN_PROGRESS,
    "completed": trackers.StatusCategory.DONE,
    "canceled": trackers.StatusCategory.DONE,
    "duplicate": trackers.StatusCategory.DONE,
}
# The done state types that deliver nothing: a canceled issue, a duplicate of another.
NOT_DONE = frozenset({"canceled", "duplicate"})
# Linear has no issue types: a label with one of these names is the type, else "Issue".
TYPE_LABELS = {
    "bug",
    "defect",
    "spike",
    "enabler",
    "tech debt",
    "technical debt",
    "story",
    "user story",
}
# An issue with sub-issues is their epic (each names it as its ``epic``), whatever its labels:
# like a Jira epic, not a backlog row of its own.
EPIC = "Epic"


def rank_token(sort_order: Any) -> str:
    """``TrackerIssue.rank`` from Linear's ``sortOrder`` (a Float): the float's ``repr``, so
    the same position always gives the same string (``1000`` and ``1000.0`` alike) and a
    reorder a different one; "" when there is none."""
    if isinstance(sort_order, bool) or not isinstance(sort_order, int | float):
        return ""
    value = float(sort_order)
    return repr(value) if math.isfinite(value) else ""


@dataclass(frozen=True)
class WorkflowState:
    id: str
    name: str
    type: str  # triage, backlog, unstarted, started, completed, canceled, duplicate
    position: float = 0.0


@dataclass(frozen=True)
class TeamConfig:
    """What ``check()`` learns of a team (kept by the sync engine with ``snapshot()``)."""

    id: str
    key: str
    name: str
    timezone: str = "UTC"
    cycles_enabled: bool = True
    cycle_duration: float = 2.0  # weeks
    estimation: str = "notUsed"  # notUsed, exponential, fibonacci, linear, tShirt
    allow_zero: bool = False
    extended: bool = False
    states: tuple[WorkflowState, ...] = ()
    read_at: datetime | None = None  # when Linear was asked for them (None: not known)

    @property
    def estimates(self) -> tuple[int, ...]:
        return allowed_estimates(
            self.estimation, extended=self.extended, allow_zero=self.allow_zero
        )

    def done_state(self) -> WorkflowState | None:
        return self._first("completed")

    def canceled_state(self) -> WorkflowState | None:
        """Where an issue closed as won't do goes: the team's first canceled state."""
        return self._first("canceled")

    def _first(self, kind: str) -> WorkflowState | None:
        states = (s for s in self.states if s.type == kind)
        return min(states, key=lambda s: s.position, default=None)

    def open_state(self) -> WorkflowState | None:
        """Where a reopened issue goes: the team's first backlog state (by its position), else
        its first unstarted one; None if it has neither."""
        states = [s for s in self.states if s.type in BACKLOG_STATES]
        return min(states, key=lambda s: (BACKLOG_STATES.index(s.type), s.position), default=None)


def issue_of(raw: Mapping[str, Any]) -> trackers.TrackerIssue:
    """An issue from Linear's ``IssueFields``."""
    key = str(raw.get("identifier") or "")
    description, criteria = split_body(raw.get("description"))
    state = raw.get("state") or {}
    person = raw.get("assignee")
    assignee = (
        trackers.TrackerUser(
            id=str(person.get("id") or ""),
            name=str(person.get("name") or person.get("displayName") or ""),
            email=person.get("email"),
        )
        if isinstance(person, Mapping)
        else None
    )
    labels = tuple(
        str(label.get("name") or "")
        for label in (raw.get("labels") or {}).get("nodes") or []
        if label.get("name")
    )
    issue_type = next((name for name in labels if name.lower() in TYPE_LABELS), "Issue")
    if (raw.get("children") or {}).get("nodes"):
        issue_type = EPIC
    cycle = raw.get("cycle")
    blocked_by = tuple(
        str(rel["issue"]["identifier"])
        for rel in (raw.get("inverseRelations") or {}).get("nodes") or []
        if rel.get("type") == "blocks" and (rel.get("issue") or {}).get("identifier")
    )
    parent = raw.get("parent")
    estimate = raw.get("estimate")
    return trackers.TrackerIssue(
        key=key,
        url=str(raw.get("url") or ""),
        summary=str(raw.get("title") or ""),
        description=description,
        acceptance_criteria=criteria,
        estimate=float(estimate) if isinstance(estimate, int | float) else None,
        issue_type=issue_type,
        status_category=_CATEGORIES.get(str(state.get("type") or ""), trackers.StatusCategory.TODO),
        status=str(state.get("name") or ""),
        assignee=assignee,
        epic=str(parent["identifier"]) if isinstance(parent, Mapping) else None,
        labels=labels,
        blocked_by=blocked_by,
        updated=parse_time(raw.get("updatedAt")) or datetime.fromtimestamp(0, UTC),
        id=str(raw.get("id") or ""),
        rank=rank_token(raw.get("sortOrder")),
        sprint=sprint_of(cycle).name if isinstance(cycle, Mapping) else None,
        sprint_id=str(cycle.get("id") or "") or None if isinstance(cycle, Mapping) else None,
        not_planned=str(state.get("type") or "") in NOT_DONE,
        triage=state.get("type") == "triage",
        created=parse_time(raw.get("createdAt")),
    )


def scale_estimate(team: TeamConfig, key: str, value: float | None) -> int | None:
    """``value`` as the estimate of ``key`` on the team's scale (None clears it); CONFIG when
    the team does not estimate, INVALID when its scale has no such value."""
    if value is None:
        return None
    allowed = team.estimates
    if not allowed:
        raise trackers.TrackerError(
            f"Team {team.name} does not estimate issues, so the estimate of {key} cannot be "
            "written: choose a scale in the team's settings > Estimates.",
            kind=trackers.TrackerErrorKind.CONFIG,
        )
    if float(value).is_integer() and int(value) in allowed:
        return int(value)
    if team.estimation == "tShirt":
        shown = ", ".join(f"{TSHIRT.get(v, v)} = {v}" for v in allowed)
    else:
        shown = ", ".join(str(v) for v in allowed)
    scale = SCALE_NAMES.get(team.estimation, team.estimation)
    hint = "" if team.extended else " (or allow extended estimates in the team's settings)"
    raise trackers.TrackerError(
        f"Team {team.name} estimates on Linear's {scale} scale ({shown}), which has no "
        f"{value:g}: estimate {key} on that scale{hint}.",
        kind=trackers.TrackerErrorKind.INVALID,
    )


def sprint_of(raw: Mapping[str, Any]) -> trackers.TrackerSprint:
    """A cycle (``CycleFields``) as a sprint: its description the goal."""
    if raw.get("completedAt") or raw.get("isPast"):
        state = trackers.SprintState.CLOSED
    elif raw.get("isFuture"):
        state = trackers.SprintState.FUTURE
    else:
        state = trackers.SprintState.ACTIVE
    number = raw.get("number")
    name = raw.get("name") or (f"Cycle {number:g}" if isinstance(number, int | float) else "")
    return trackers.TrackerSprint(
        id=str(raw.get("id") or ""),
        name=str(name),
        state=state,
        goal=str(raw.get("description") or ""),
        start=parse_time(raw.get("startsAt")),
        end=parse_time(raw.get("endsAt")),
        completed=parse_time(raw.get("completedAt")),
    )
