"""Calibration: how long done items really took, set against their estimates.

An item's real duration runs from when its work began (the first of its tasks under way in a
running sprint: taken, with hours burnt, or done) to when it was done in a sprint, counted in
the team's working days (its working weekdays, less its country's public holidays, in its time
zone). An item whose tasks never moved counts from its sprint's first day (or from the day it
joined the sprint, if later). Both ends count: started and done on one working day is 1 day.

Per estimate, the spread of those durations (shortest, median, longest, how many; "few data"
under three), and a few reference stories of a size for planning poker: recent ones, closest
to the size's median.

Plain rules over rows given as data: the reading is bot/usecases/calibration.py's.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.calendar import local_today, working_days_between
from bot.domain.decks import TSHIRT_SIZES, Deck
from bot.domain.tasks import left
from storage.models import Sprint, SprintItem, Team

FEW = 3  # fewer done items of a size than this: a spread to read with care
REFERENCES = 3  # reference stories named at a reveal
RECENT = 10  # the most recent done items of a size that reference stories are picked from
EXAMPLES = 3  # item numbers `/poker calibrate` names per size


# -- when work on an item began --------------------------------------------------------------


def under_way(sprint_item: SprintItem) -> bool:
    """Whether one of the item's tasks has moved: taken by someone, hours burnt, or done."""
    return any(task.owner or task.done or left(task) < task.hours for task in sprint_item.tasks)


def note_start(sprint: Sprint, sprint_item: SprintItem, now: datetime) -> None:
    """Records when work on a sprint item began: the first time one of its tasks is seen
    under way while the sprint runs (tasks taken while planning it wait for the sprint)."""
    if sprint_item.started_at is None and sprint.status == "active" and under_way(sprint_item):
        sprint_item.started_at = now


# -- done items and their durations ----------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One sprint item of a done backlog item, as stored (a carried-over item has one per
    sprint it was in)."""

    number: int
    title: str
    estimate: float
    sprint_starts_on: date
    added_at: datetime  # when it joined that sprint
    started_at: datetime | None  # its first task under way there
    done_at: datetime | None  # when it was done there (None: not in that sprint)


@dataclass(frozen=True)
class DoneItem:
    """A done item with its real duration in working days."""

    number: int
    title: str
    estimate: float
    started: date  # local
    done: date  # local
    done_at: datetime
    days: int
    from_tasks: bool  # the start is its first task under way (else its sprint's start)


def working_days(team: Team, start: date, end: date) -> int:
    """Working days from `start` to `end`, both counted; at least 1 (a day's work is a day)."""
    return max(1, working_days_between(team, start, end + timedelta(days=1)))


def done_items(team: Team, records: Iterable[Record]) -> list[DoneItem]:
    """Each done item once (its latest done sprint item), newest first, with its duration."""
    by_item: dict[int, list[Record]] = {}
    for record in records:
        by_item.setdefault(record.number, []).append(record)
    found = []
    for rows in by_item.values():
        finished = [r for r in rows if r.done_at is not None]
        if not finished:
            continue
        last = max(finished, key=lambda r: r.done_at or r.added_at)
        assert last.done_at is not None
        done = local_today(team, last.done_at)
        begun = [
            r.started_at for r in rows if r.started_at is not None and r.started_at <= last.done_at
        ]
        if begun:
            started, from_tasks = local_today(team, min(begun)), True
        else:
            started = max(last.sprint_starts_on, local_today(team, last.added_at))
            from_tasks = False
        started = min(started, done)
        found.append(
            DoneItem(
                number=last.number,
                title=last.title,
                estimate=last.estimate,
                started=started,
                done=done,
                done_at=last.done_at,
                days=working_days(team, started, done),
                from_tasks=from_tasks,
            )
        )
    return sorted(found, key=lambda i: (i.done_at, i.number), reverse=True)


# -- spreads and reference stories -----------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """How long the done items of one estimate took, in working days."""

    estimate: float
    count: int
    low: int
    median: float
    high: int

    @property
    def few(self) -> bool:
        return self.count < FEW


def spread(estimate: float, items: Sequence[DoneItem]) -> Spread:
    days = [i.days for i in items]
    return Spread(estimate, len(days), min(days), float(statistics.median(days)), max(days))


def by_estimate(items: Iterable[DoneItem]) -> dict[float, list[DoneItem]]:
    """Done items by estimate, smallest first, each newest first (as `done_items` gives)."""
    groups: dict[float, list[DoneItem]] = {}
    for item in items:
        groups.setdefault(item.estimate, []).append(item)
    return dict(sorted(groups.items()))


def references(items: Sequence[DoneItem], median: float, most: int = REFERENCES) -> list[DoneItem]:
    """Reference stories of one size (`items`, newest first): of the RECENT newest, those
    closest to the size's median, the newer first among equals."""
    ranked = sorted(
        enumerate(items[:RECENT]), key=lambda pair: (abs(pair[1].days - median), pair[0])
    )
    return [item for _, item in ranked[:most]]


def size_name(deck: Deck, estimate: float) -> str:
    """An estimate as the team says it: `5 points`, `1 point`, or `M (3 points)` when the
    team plays T-shirt sizes."""
    words = f"{estimate:g} point{'' if estimate == 1 else 's'}"
    if deck.name == "tshirt":
        size = next((s for s in TSHIRT_SIZES if deck.tshirt.get(s) == estimate), None)
        if size is not None:
            return f"{size} ({words})"
    return words


@dataclass(frozen=True)
class Size:
    """One estimate's line of the calibration: its spread and a few of its items."""

    name: str
    spread: Spread
    examples: tuple[DoneItem, ...]


@dataclass(frozen=True)
class Calibration:
    """`/poker calibrate`: every estimate's spread, smallest first."""

    sizes: tuple[Size, ...]
    items: int  # done items counted
    from_tasks: int  # of which the start is a task under way (the rest: the sprint's start)

    @property
    def inversions(self) -> tuple[tuple[Size, Size], ...]:
        """Pairs of sizes, each with enough data, where the bigger estimate took less time
        (by median) than the smaller one: estimates that do not order the work."""
        solid = [s for s in self.sizes if not s.spread.few]
        return tuple(
            (small, big)
            for n, small in enumerate(solid)
            for big in solid[n + 1 :]
            if big.spread.median < small.spread.median
        )


def calibrate(team: Team, records: Iterable[Record], deck: Deck) -> Calibration:
    items = done_items(team, records)
    sizes = []
    for estimate, group in by_estimate(items).items():
        found = spread(estimate, group)
        examples = tuple(references(group, found.median, EXAMPLES))
        sizes.append(Size(size_name(deck, estimate), found, examples))
    return Calibration(tuple(sizes), len(items), sum(i.from_tasks for i in items))


@dataclass(frozen=True)
class Reference:
    """What a reveal's thread is told of its suggested size: how long such items took, and
    two or three of them to compare with."""

    name: str
    spread: Spread
    stories: tuple[DoneItem, ...]


def reference(
    team: Team, records: Iterable[Record], estimate: float, deck: Deck
) -> Reference | None:
    """The reference stories of one estimate; None when no done item has it."""
    group = [i for i in done_items(team, records) if i.estimate == estimate]
    if not group:
        return None
    found = spread(estimate, group)
    return Reference(size_name(deck, estimate), found, tuple(references(group, found.median)))
