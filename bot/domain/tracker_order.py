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


@dataclass(frozen=True)
class RankWish:
    """Where the Product Owner put an issue: its place among Timebox's linked items, to be
    laid on the board as it is when the rank is written (``anchor``), not as Timebox last
    saw it: the board may have been reordered since, unseen (webhooks off, a sync not run).

    `order`: the linked keys of the backlog, top first, the moved `key` among them; `passed`:
    those whose own move is not in the tracker yet (they still stand in their old place
    there, so nothing is anchored on them while another will do)."""

    key: str
    order: tuple[str, ...]
    passed: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, order: Sequence[tuple[int, str | None]], item_id: int, moving: Collection[int] = ()
    ) -> RankWish | None:
        """The wish of item `item_id` on the backlog `order` ((item id, key or None), top
        first); None when it is not linked or no other item is (nothing to rank against)."""
        keys = [(i, k) for i, k in order if k]
        mine = next((k for i, k in keys if i == item_id), None)
        if mine is None or len(keys) < 2:
            return None
        passed = frozenset(k for i, k in keys if i in moving and i != item_id)
        return cls(mine, tuple(k for _, k in keys), passed)

    def anchor(self, board: Sequence[str]) -> tuple[str, str] | None:
        """("after" | "before", key) that puts the issue at its wished place on `board` (the
        tracker's keys in rank order, read just now); None when the board holds no other.

        At the bottom of Timebox's order it goes after the board's last issue, at the top
        before its first. Between two neighbours it goes after the one above when that one
        is still in its place on the board (its own neighbour above is Timebox's), else
        before the one below when that one is (its neighbour below is Timebox's), else after
        the one above. Items whose own move is pending are passed over while others will do."""
        for passed in (self.passed, frozenset()):
            others = [k for k in board if k != self.key and k not in passed]
            if others:
                return self._anchor(others, passed)
        return None

    def _anchor(self, board: Sequence[str], passed: frozenset[str]) -> tuple[str, str]:
        on_board = set(board)
        mine = [k for k in self.order if k == self.key or (k in on_board and k not in passed)]
        at = mine.index(self.key)
        above = mine[at - 1] if at > 0 else None
        below = mine[at + 1] if at + 1 < len(mine) else None
        if below is None:
            return ("after", board[-1])
        if above is None:
            return ("before", board[0])
        theirs = [k for k in board if k in set(mine)]
        wanted = [k for k in mine if k != self.key]

        def neighbour(keys: Sequence[str], key: str, step: int) -> str | None:
            n = keys.index(key) + step
            return keys[n] if 0 <= n < len(keys) else None

        if neighbour(theirs, above, -1) == neighbour(wanted, above, -1):
            return ("after", above)
        if neighbour(theirs, below, 1) == neighbour(wanted, below, 1):
            return ("before", below)
        return ("after", above)
