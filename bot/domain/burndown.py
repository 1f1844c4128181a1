"""A sprint's burndown: the points left at the end of each of its days, the estimates as they
stood then (a re-estimate shows on its day), of the items the sprint held then (scope changes
move it); and the estimates a closed sprint's record shows, those it closed with. Apart from
bot.domain.sprints, which decides what a sprint holds now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from bot.domain.calendar import zone
from storage.models import ItemEvent, ScopeChange, Sprint, SprintItem, Team


def burndown_from(sprint: Sprint, now: datetime) -> datetime:
    """From when the burndown reads its items' history for re-estimates: the commitment."""
    return sprint.committed_at or now


def remaining_by_day(
    team: Team,
    sprint: Sprint,
    items: Sequence[SprintItem],
    changes: Sequence[ScopeChange],
    history: Iterable[ItemEvent],
    today: date,
) -> list[tuple[date, float]]:
    """Points left at the end of each sprint day so far, the days being the team's (in its
    time zone): the estimates, as they stood then, of the items the sprint held then and had
    not finished. What the sprint card counts now is the last day's, so a re-estimate shows
    on its day, and a sprint whose items are all done is at 0. `items`: the sprint's, removed
    ones included; `changes`: its scope changes; `history`: its items' events since
    `burndown_from` (the re-estimates, the items done and reopened among them)."""
    events = sorted(history, key=lambda e: e.at)
    estimates, statuses = _estimates_after(events), _statuses_after(events)
    ordered = sorted(changes, key=lambda c: c.at)
    days, day = [], sprint.starts_on
    while day <= min(today, sprint.ends_on):
        end = datetime.combine(day, time.max, tzinfo=zone(team))
        left = sum(
            _estimate_at(si, estimates.get(si.item_id, []), end)
            for si in items
            if _held_at(sprint, si, ordered, end)
            and not _done_at(si, statuses.get(si.item_id, []), end)
        )
        days.append((day, left))
        day += timedelta(days=1)
    return days


def _statuses_after(events: Iterable[ItemEvent]) -> dict[int, list[tuple[datetime, str, str]]]:
    """Each item's status changes (done, reopened...), oldest first: when, before, after."""
    found: dict[int, list[tuple[datetime, str, str]]] = {}
    for event in events:
        if "status" in (event.changes or {}):
            before, after = event.changes["status"]
            found.setdefault(event.item_id, []).append((event.at, before, after))
    return found


def _done_at(
    sprint_item: SprintItem, statuses: Sequence[tuple[datetime, str, str]], moment: datetime
) -> bool:
    """Whether the item was done at `moment`, as its status changes say (one reopened later
    was done still on the day it was done), else as it is now."""
    if passed := [after for at, _, after in statuses if at <= moment]:
        return passed[-1] == "done"
    if statuses:
        return statuses[0][1] == "done"
    return sprint_item.done_at is not None and sprint_item.done_at <= moment


def _estimates_after(events: Iterable[ItemEvent]) -> dict[int, list[tuple[datetime, float]]]:
    """Each item's re-estimates, oldest first: when, and the estimate it had until then."""
    found: dict[int, list[tuple[datetime, float]]] = {}
    for event in events:
        if "estimate" in (event.changes or {}):
            before = event.changes["estimate"][0]
            found.setdefault(event.item_id, []).append((event.at, float(before or 0.0)))
    return found


def _estimate_at(
    sprint_item: SprintItem, re_estimates: Sequence[tuple[datetime, float]], moment: datetime
) -> float:
    """The item's estimate at `moment`: the one the next re-estimate replaced, else today's."""
    later = next((before for at, before in re_estimates if at > moment), None)
    return later if later is not None else sprint_item.item.estimate or 0.0


def _held_at(
    sprint: Sprint, sprint_item: SprintItem, changes: Sequence[ScopeChange], moment: datetime
) -> bool:
    """Whether the sprint held the item at `moment`: one planned in from the commitment, one
    renegotiated in or out from then (`changes`, oldest first)."""
    held = sprint.committed_at is None or sprint_item.added_at <= sprint.committed_at
    for change in changes:
        if change.item_number == sprint_item.item.number and change.at <= moment:
            held = change.action == "added"
    return held


def estimates_at(
    items: Iterable[SprintItem], history: Iterable[ItemEvent], moment: datetime
) -> Mapping[int, float | None]:
    """Each item's estimate as it stood at `moment` (a sprint's close), by item id: the one
    its first re-estimate after `moment` replaced, else today's. `history`: the items'
    events since `moment`."""
    replaced: dict[int, float | None] = {}
    for event in sorted(history, key=lambda e: e.at):
        if event.at > moment and "estimate" in (event.changes or {}):
            replaced.setdefault(event.item_id, event.changes["estimate"][0])
    return {si.item_id: replaced.get(si.item_id, si.item.estimate) for si in items}
