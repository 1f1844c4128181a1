"""Following the tracker board's order: the backlog's linked items put in the board's order
with the fewest moves (the longest run already in order stays; each other item lands between
its board neighbours' ranks). Pure: the reconcile (bot/usecases/tracker_pull.py) applies it."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Moved:
    """An item the board's order moves: its new rank, and its place before and after
    (1-based positions on the backlog)."""

    item_id: int
    rank: float
    old: int
    new: int


def follow_board(
    order: Sequence[tuple[int, str | None, float]],
    board: Sequence[str],
    pinned: Collection[int] = (),
) -> tuple[list[Moved], dict[int, float]]:
    """Puts the backlog's linked items in the board's order, moving as few as it can.

    `order`: (item id, key or None, rank) of the backlog, top first; `board`: the tracker's
    keys in order. Items without a key on the board (Timebox's own, or gone from it) and
    `pinned` ones (a move of Timebox's not in the tracker yet) stay where they are. The
    longest run of linked items already in the board's order stays too; every other linked
    item goes right after the item that precedes it on the board (or before the first, if
    none does). Returns the moves (for the history) and every rank to write: the moved items',
    or, when the ranks between two neighbours have run out, the whole backlog renumbered."""
    position = {key: at for at, key in enumerate(board)}
    pinned = set(pinned)
    movable = [
        (item_id, position[key])
        for item_id, key, _ in order
        if key is not None and key in position and item_id not in pinned
    ]
    stay = set(_longest_rising([p for _, p in movable]))
    staying = [entry for at, entry in enumerate(movable) if at in stay]
    moving = sorted(
        (entry for at, entry in enumerate(movable) if at not in stay), key=lambda e: e[1]
    )
    if not moving:
        return [], {}
    gone = {item_id for item_id, _ in moving}
    stay_positions = [p for _, p in staying]
    after: dict[int | None, list[int]] = {}
    for item_id, at in moving:
        anchor = bisect.bisect_left(stay_positions, at) - 1
        after.setdefault(staying[anchor][0] if anchor >= 0 else None, []).append(item_id)
    first_stay = staying[0][0]
    ranks = {item_id: rank for item_id, _, rank in order}
    arranged: list[int] = []
    for item_id, _, _ in order:
        if item_id in gone:
            continue
        if item_id == first_stay:
            arranged += after.get(None, [])
        arranged.append(item_id)
        arranged += after.get(item_id, [])
    new_ranks = _ranks_between(arranged, ranks, gone)
    old_at = {item_id: at for at, (item_id, _, _) in enumerate(order, start=1)}
    moved = [
        Moved(item_id, new_ranks[item_id], old_at[item_id], at)
        for at, item_id in enumerate(arranged, start=1)
        if item_id in gone and old_at[item_id] != at
    ]
    return moved, new_ranks


def _longest_rising(values: Sequence[int]) -> list[int]:
    """Indexes of a longest strictly rising subsequence of `values` (patience sorting)."""
    tails: list[int] = []  # tails[k]: index of the smallest tail of a run of length k + 1
    tail_values: list[int] = []
    before: list[int] = [-1] * len(values)
    for at, value in enumerate(values):
        k = bisect.bisect_left(tail_values, value)
        before[at] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(at)
            tail_values.append(value)
        else:
            tails[k], tail_values[k] = at, value
    run, at = [], tails[-1] if tails else -1
    while at >= 0:
        run.append(at)
        at = before[at]
    return run[::-1]


def _ranks_between(
    arranged: Sequence[int], ranks: Mapping[int, float], moved: Collection[int]
) -> dict[int, float]:
    """Ranks for the moved items between their unmoved neighbours; the whole order numbered
    1, 2, 3… when two neighbours leave no room."""
    out: dict[int, float] = {}
    at = 0
    while at < len(arranged):
        if arranged[at] not in moved:
            at += 1
            continue
        end = at
        while end < len(arranged) and arranged[end] in moved:
            end += 1
        low = ranks[arranged[at - 1]] if at > 0 else None
        high = ranks[arranged[end]] if end < len(arranged) else None
        count = end - at
        for n, item_id in enumerate(arranged[at:end], start=1):
            if low is not None and high is not None:
                if high - low <= 1e-6 * (count + 1):
                    return {i: float(n) for n, i in enumerate(arranged, start=1)}
                out[item_id] = low + (high - low) * n / (count + 1)
            elif high is not None:
                out[item_id] = high - (count + 1 - n)
            else:
                assert low is not None
                out[item_id] = low + n
        at = end
    return out
