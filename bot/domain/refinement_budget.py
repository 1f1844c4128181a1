"""The refinement budget: time a team spends refining per sprint, against a share of the
sprint's capacity (10% by default, the Scrum Guide's old rule of thumb; per team).

Capacity is counted per person (the sprint's working days times its hours per day): everyone
in a session spends its length, so the number of developers cancels out. A two-week sprint of
8-hour days gives 80 hours a person; 10% is 8 hours of refinement.

The warnings: over when the sprint's refinement passes 1.5 times the share (15% at the
default), under when it stays below half of it (5%). Half and one and a half are wide enough
that one long or one skipped session does not raise them, and narrow enough to catch a team
that stopped refining (planning then runs out of ready items) or one that designs in
refinement. "Under" is only said once the sprint is half gone, against the share of the
sprint gone so far: early in a sprint, no refinement yet is normal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.calendar import local_today, working_days_between
from bot.domain.errors import UserError
from storage.models import Sprint, Team

DEFAULT_SHARE = 0.10
OVER = 1.5  # times the share
UNDER = 0.5  # times the share (of the sprint gone so far)
UNDER_AFTER = 0.5  # of the sprint gone before "under" is said


def share_of(team: Team) -> float:
    return DEFAULT_SHARE if team.refinement_share is None else team.refinement_share


SHARE_RANGE = (1, 50)  # percent of the sprint's capacity


def parse_share(text: str) -> float:
    """`10%` or `10`: a percentage in SHARE_RANGE."""
    low, high = SHARE_RANGE
    match = re.fullmatch(r"\s*(\d{1,2}(?:\.\d+)?)\s*%?\s*", text)
    if match is None or not low <= float(match.group(1)) <= high:
        raise UserError(
            "Give the share of the sprint's capacity for refinement as a percentage from "
            f"{low} to {high}, e.g. `/timebox settings refinement 10%`."
        )
    return round(float(match.group(1)) / 100, 4)


@dataclass(frozen=True)
class Budget:
    sprint_number: int
    share: float
    spent_minutes: int
    capacity_minutes: float  # per person
    gone: float  # the part of the sprint gone, 0 to 1
    sessions: int

    @property
    def budget_minutes(self) -> int:
        return round(self.capacity_minutes * self.share)

    @property
    def spent_share(self) -> float:
        return self.spent_minutes / self.capacity_minutes if self.capacity_minutes else 0.0

    @property
    def status(self) -> str:
        """over, under or ok."""
        if self.spent_share > self.share * OVER:
            return "over"
        if self.gone >= UNDER_AFTER and self.spent_share < self.share * UNDER * self.gone:
            return "under"
        return "ok"


@dataclass(frozen=True)
class Session:
    """An ended refinement session as the budget counts it: when it began (its local date
    puts it in a sprint) and the minutes it ran (its pauses not counted: the caller says,
    agendas/engine.py's `ran`)."""

    started_at: datetime
    minutes: float


def in_sprint(team: Team, sprint: Sprint, sessions: Iterable[Session]) -> list[Session]:
    """The sessions held during the sprint (by the team's local date)."""
    return [
        s for s in sessions if sprint.starts_on <= local_today(team, s.started_at) <= sprint.ends_on
    ]


def budget(team: Team, sprint: Sprint, sessions: Iterable[Session], today: date) -> Budget:
    """The sprint's refinement against the team's share of its capacity."""
    held = in_sprint(team, sprint, sessions)
    spent = round(sum(s.minutes for s in held))
    days = working_days_between(team, sprint.starts_on, sprint.ends_on + timedelta(days=1))
    if today > sprint.ends_on or sprint.status == "closed":
        gone = 1.0
    elif today < sprint.starts_on or not days:
        gone = 0.0
    else:
        gone = min(1.0, working_days_between(team, sprint.starts_on, today) / days)
    capacity = days * sprint.hours_per_day * 60
    return Budget(sprint.number, share_of(team), spent, capacity, gone, len(held))
