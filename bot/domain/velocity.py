"""Velocity: the points a team's closed sprints completed, and the working days they had to
complete them in, which together scale a forecast to a sprint of another length."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.domain.calendar import local_today, working_days_between
from bot.domain.capacity import VELOCITY_SPRINTS, velocity, velocity_days
from storage.models import Sprint, Team


def velocity_of(closed: Sequence[Sprint]) -> float | None:
    """The team's velocity from its closed sprints, newest first."""
    return velocity([s.completed_points or 0.0 for s in closed[:VELOCITY_SPRINTS]])


def working_days(team: Team, sprint: Sprint) -> int:
    """Working days in the sprint, per person."""
    return working_days_between(team, sprint.starts_on, sprint.ends_on + timedelta(days=1))


def working_days_had(team: Team, sprint: Sprint) -> int:
    """The working days a committed sprint had: those its commitment recorded (from the day it
    was planned, when late), so a later change of the team's days or holiday country does not
    recount them; from its dates and today's settings only for a sprint without that record.
    A sprint closed before its last day had only the days up to its close: the points of a
    sprint cut short weigh in the velocity for the days it ran, not for those it never had."""
    recorded = (sprint.capacity or {}).get("working_days")
    had = int(recorded) if recorded is not None else working_days(team, sprint)
    if sprint.closed_at is None:
        return had
    closed = local_today(team, sprint.closed_at)
    if closed >= sprint.ends_on:
        return had
    unrun = working_days_between(
        team, closed + timedelta(days=1), sprint.ends_on + timedelta(days=1)
    )
    return max(had - unrun, 0)


def velocity_days_of(team: Team, closed: Sequence[Sprint]) -> float | None:
    """The working days per sprint the velocity (`velocity_of` the same sprints) was earned
    in: each sprint's `working_days_had`."""
    return velocity_days([working_days_had(team, s) for s in closed[:VELOCITY_SPRINTS]])
