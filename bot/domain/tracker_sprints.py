"""A committed sprint in the tracker's terms: its name and times, which of its items' issues
it is to hold, and the calls that make the tracker's sprint (a Jira sprint, a GitHub
iteration or milestone, a Linear cycle) look like Timebox's. Plain rules: the writes are
bot/usecases/tracker_push.py's."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.calendar import DEFAULT_ZONE
from bot.domain.tracker_sync import is_backlog_issue, tracker_name
from bot.domain.trackers import SprintState, StatusCategory, TrackerIssue, TrackerSprint
from storage.models import SprintItem, TrackerLink


def sprint_name(number: int) -> str:
    return f"Sprint {number}"


def named_sprint(message: str, remote_id: str, name: str) -> str:
    """A tracker's words about one of its sprints, naming it as the channel knows it
    ("Sprint 3") rather than by the tracker's id (a Linear cycle's is a UUID)."""
    pattern = rf"\b(sprint|cycle|iteration|milestone) {re.escape(remote_id)}(?![\w-])"
    return re.sub(pattern, lambda found: f'{found.group(1)} "{name}"', message)


def sprint_times(starts_on: Any, ends_on: Any, zone: str | None) -> tuple[datetime, datetime]:
    """A sprint's first morning (09:00) and its last evening (17:00), in the team's zone:
    `ends_on` is the day the sprint is shown to end (its last working day, ``sprints.last_day``,
    not the Sunday its slot in the calendar runs to), so the tracker's sprint ends with it."""
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
    entries: Iterable[tuple[SprintItem, TrackerLink | None]],
    connection_id: int,
    remote_id: str | None = None,
) -> SprintKeys:
    """Sorts a sprint's items (with the removed ones, each with its link) by their issues;
    an item only Timebox has, or linked through another connection, is left out, and so is
    a removed one whose issue the sync last saw in another of the tracker's sprints than the
    sprint's (`remote_id`): moved there in the tracker, it is not Timebox's to move back."""
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
        seen_in = (link.remote or {}).get("sprint_id")
        if sprint_item.removed and seen_in not in (None, remote_id):
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
    sprint found or made just now may be started already: starting it again is refused).
    Closed there already (by someone in the tracker, ``closed_there``), it is not Timebox's to
    change any more: no issue is moved in or out (the tracker refuses it, or it would undo
    what its close did), and it is not started or closed again; done items are still marked
    done."""
    closed = status == "closed"
    if state is SprintState.CLOSED:
        return SprintSteps([], [], start=False, mark_done=list(done) if closed else [], close=False)
    return SprintSteps(
        move_in=list(inside) if not closed else [],
        move_out=list(outside),
        start=status in ("active", "closed") and state in (None, SprintState.FUTURE),
        mark_done=list(done) if closed else [],
        close=closed,
    )


JOINED, LEFT = "add", "remove"
"""A running sprint's scope changed in the tracker (``scope_news``): an issue moved into the
tracker's sprint Timebox made for it, or out of it; the use case renegotiates it as `/sprint
add` or `/sprint remove` would, with the tracker as its reason."""


def scope_news(
    now_in: str | None,
    seen_in: str | None,
    running: str,
    *,
    held: bool,
    finished: bool,
    free: bool,
    sprint_open: bool = True,
) -> str | None:
    """What an issue's sprint in the tracker (`now_in`, by the tracker's id; `seen_in`: where
    the sync last saw it) means for Timebox's running sprint, whose sprint there is `running`.

    Only a move since it was last seen is news: an issue still where Timebox's own sprint
    write has yet to move it says nothing. Moved into it: ``JOINED`` for an item on the
    backlog (`free`) the running sprint does not hold (`held`). Moved out of it: ``LEFT`` for
    one it holds, not `finished` in it, while the tracker's sprint is still open (`sprint_open`):
    closing a sprint in the tracker moves its unfinished issues out too, and that is no
    renegotiation (Timebox's close hands them back)."""
    if now_in == seen_in:
        return None
    if now_in == running and free and not held:
        return JOINED
    if seen_in == running and held and not finished and sprint_open:
        return LEFT
    return None


def scope_reason(key: str, kind: str, news: str, number: int) -> str:
    """The scope change's reason, as the sprint's history shows it (`kind`: the tracker's)."""
    moved = "added to" if news == JOINED else "taken out of"
    return f"{key} was {moved} {sprint_name(number)} in {tracker_name(kind)}"


def joins_running(issue: TrackerIssue, running: str) -> bool:
    """An issue no item is linked to, made in (or moved into) the tracker's sprint of the
    running sprint, open and a backlog row: it becomes an item, which joins the sprint."""
    return (
        issue.sprint_id == running
        and is_backlog_issue(issue)
        and issue.status_category is not StatusCategory.DONE
    )


def open_under(there: Sequence[TrackerSprint], remote_id: str, name: str) -> str | None:
    """The id under which the tracker's sprint `remote_id`, named `name` by Timebox, is open
    among the board's sprints (`there`): its own while it is open; None once it is closed
    there, or gone. Gone by its id while one open sprint has its name, that is the same sprint
    under a new id: GitHub gives every iteration a new one whenever the project's iteration
    field is written, by anyone (github/github-mcp-server#2953)."""
    by_id = next((s for s in there if s.id == remote_id), None)
    if by_id is not None:
        return None if by_id.state is SprintState.CLOSED else remote_id
    named = [s.id for s in there if s.name == name and s.state is not SprintState.CLOSED]
    return named[0] if len(named) == 1 else None


CLOSED_THERE = SprintState.CLOSED.value
"""A sprint link's state once the sync saw the tracker's sprint closed by someone there (a Jira
sprint completed, a Linear cycle completed, a GitHub iteration ended or removed, a milestone
closed) while Timebox's sprint runs: its scope is no longer written there (``sprint_steps``)."""


def sprint_there(kind: str, board_id: int) -> tuple[str, str]:
    """What a tracker calls the sprint Timebox made there, and what closing it is called:
    a Jira sprint completed, a Linear cycle completed, a GitHub project's iteration ended, a
    repository's milestone closed."""
    if kind == "github":
        return ("iteration", "ended") if board_id else ("milestone", "closed")
    return ("cycle", "completed") if kind == "linear" else ("sprint", "completed")


def found_again(
    name: str, there: Sequence[TrackerSprint], seen_in: Iterable[str | None]
) -> TrackerSprint | None:
    """The tracker's sprint an open sprint of Timebox's was linked to before a disconnect,
    found again on connecting to the same board, as its items are by their keys: among the
    board's open sprints (`there`), the one named as Timebox names it (its sprint write looks
    for that one too), else the one most of its items were last seen in (`seen_in`: renamed
    there meanwhile). None when neither is there: its next sprint write makes one."""
    named = next((s for s in there if s.name == name), None)
    if named is not None:
        return named
    by_id = {s.id: s for s in there}
    counted = Counter(seen for seen in seen_in if seen in by_id).most_common(1)
    return by_id[counted[0][0]] if counted else None


NAMED, OVERLAPPING = "named", "overlapping"
"""How a sprint write found the tracker's sprint to use (``sprint_to_use``): one named as
Timebox names it, given the goal and dates; or, on a tracker whose sprints cannot overlap (a
Linear team's cycles), the cycle its dates fall in, given the goal only."""


@dataclass(frozen=True)
class SprintFound:
    """The tracker's sprint a sprint write uses (`sprint`, found `how`), or none: made then,
    unless `blocked` names the sprints there whose dates it overlaps, all used by another
    sprint of Timebox's (a Linear team's cycles cannot overlap, so none could be made)."""

    sprint: TrackerSprint | None = None
    how: str = ""
    blocked: tuple[TrackerSprint, ...] = ()


def sprint_to_use(
    there: Sequence[TrackerSprint],
    name: str,
    start: datetime,
    end: datetime,
    *,
    taken: Iterable[str] = (),
    no_overlap: bool = False,
) -> SprintFound:
    """Which of the tracker's open sprints (`there`) a sprint write uses for the sprint `name`
    running from `start` to `end`: the one named so, as Jira's sprint made there first; else,
    where sprints cannot overlap (`no_overlap`: a Linear team, whose cycle settings make its
    future cycles ahead), the cycle whose dates overlap the sprint's most, unless another
    sprint of Timebox's uses it (`taken`, by the tracker's ids). Its dates are Linear's cycle
    schedule, not Timebox's: they are kept (moving them would overlap the next cycle)."""
    named = next((s for s in there if s.name == name), None)
    if named is not None:
        return SprintFound(named, NAMED)
    if not no_overlap:
        return SprintFound()
    used = set(taken)
    overlapping = sorted(
        (s for s in there if _overlap(s, start, end) > 0),
        key=lambda s: (-_overlap(s, start, end), s.start or start),
    )
    free = [s for s in overlapping if s.id not in used]
    if free:
        return SprintFound(free[0], OVERLAPPING)
    return SprintFound(blocked=tuple(overlapping))


def _overlap(sprint: TrackerSprint, start: datetime, end: datetime) -> float:
    """Seconds the tracker's sprint shares with start..end (0 without both its dates)."""
    if sprint.start is None or sprint.end is None:
        return 0.0
    return max(0.0, (min(sprint.end, end) - max(sprint.start, start)).total_seconds())
