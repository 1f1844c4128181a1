"""A committed sprint in the tracker's terms: its name and times, which of its items' issues
it is to hold, and the calls that make the tracker's sprint (a Jira sprint, a GitHub
iteration or milestone, a Linear cycle) look like Timebox's. Plain rules: the writes are
bot/usecases/tracker_push.py's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.calendar import DEFAULT_ZONE
from bot.domain.trackers import SprintState, StatusCategory
from storage.models import SprintItem, TrackerLink


def sprint_name(number: int) -> str:
    return f"Sprint {number}"


def named_sprint(message: str, remote_id: str, name: str) -> str:
    """A tracker's words about one of its sprints, naming it as the channel knows it
    ("Sprint 3") rather than by the tracker's id (a Linear cycle's is a UUID)."""
    pattern = rf"\b(sprint|cycle|iteration|milestone) {re.escape(remote_id)}(?![\w-])"
    return re.sub(pattern, lambda found: f'{found.group(1)} "{name}"', message)


def sprint_times(starts_on: Any, ends_on: Any, zone: str | None) -> tuple[datetime, datetime]:
    """A sprint's first morning (09:00) and its last evening (17:00), in the team's zone."""
    try:
        tz = ZoneInfo(zone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_ZONE)
    start = datetime.combine(starts_on, time(9), tzinfo=tz)
    end = datetime.combine(ends_on, time(17), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class SprintKeys:
    """A sprint's issues as the tracker's sprint is to hold them."""

    inside: list[str]  # in the sprint
    outside: list[str]  # taken out of it: back to the backlog
    done: list[str]  # done in Timebox, not yet seen done in the tracker
    waiting: bool  # an item's issue is still being created: the write waits for it


def sprint_keys(
    entries: Iterable[tuple[SprintItem, TrackerLink | None]], connection_id: int
) -> SprintKeys:
    """Sorts a sprint's items (with the removed ones, each with its link) by their issues;
    an item only Timebox has, or linked through another connection, is left out."""
    inside: list[str] = []
    outside: list[str] = []
    done: list[str] = []
    waiting = False
    for sprint_item, link in entries:
        if link is None or link.connection_id != connection_id:
            continue
        if link.key is None:
            waiting = waiting or link.pending > 0
            continue
        (outside if sprint_item.removed else inside).append(link.key)
        seen_done = (link.remote or {}).get("status_category") == StatusCategory.DONE.value
        if not sprint_item.removed and sprint_item.done_at is not None and not seen_done:
            done.append(link.key)
    return SprintKeys(inside, outside, done, waiting)


@dataclass(frozen=True)
class SprintSteps:
    """The calls that make the tracker's sprint look like Timebox's, in this order."""

    move_in: list[str]
    move_out: list[str]
    start: bool
    mark_done: list[str]  # before closing, else closing moves them back to the backlog
    close: bool


def sprint_steps(
    status: str,
    state: SprintState | None,
    inside: Sequence[str],
    outside: Sequence[str],
    done: Sequence[str],
) -> SprintSteps:
    """`status`: Timebox's sprint's; `state`: the tracker's sprint's, None when unknown (a
    sprint found or made just now may be started already: starting it again is refused)."""
    closed = status == "closed"
    return SprintSteps(
        move_in=list(inside) if not closed else [],
        move_out=list(outside),
        start=status in ("active", "closed") and state in (None, SprintState.FUTURE),
        mark_done=list(done) if closed else [],
        close=closed,
    )
