"""Prioritisation aids: MoSCoW, and a score per item that suggests an order.

A team picks one scoring scheme (`/timebox settings priority wsjf|opportunity|off`):

- **WSJF** (weighted shortest job first): the cost of delay (business value + time criticality
  + risk reduction or opportunity enablement, each on a modified Fibonacci scale) over the job
  size, the item's estimate;
- **opportunity scoring**: importance + how much of it is unmet, importance - satisfaction
  (each 1 to 10), never below the importance alone.

The inputs live on the item (`BacklogItem.scores`), entered in the item form; switching the
scheme keeps the other scheme's inputs. The suggested order only reorders the items that have
every input, among the places they hold: an item lacking inputs keeps its place, and is named.
The real order stays the Product Owner's, who may apply the suggestion (each move logged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from bot.domain.errors import UserError
from storage.models import BacklogItem

MOSCOW = {
    "must": "Must have",
    "should": "Should have",
    "could": "Could have",
    "wont": "Won't have this time",
}
MOSCOW_RANK = {label: index for index, label in enumerate(MOSCOW.values())}

SCHEMES = {"wsjf": "WSJF", "opportunity": "Opportunity scoring"}
SCHEME_WORDS = {
    "wsjf": "wsjf",
    "opportunity": "opportunity",
    "opportunities": "opportunity",
    "off": None,
    "none": None,
}
FIBONACCI = (1, 2, 3, 5, 8, 13, 20)
"""The modified Fibonacci scale of WSJF's inputs."""
OPPORTUNITY_SCALE = tuple(range(1, 11))
INPUTS = {
    "wsjf": {
        "value": "Business value",
        "time": "Time criticality",
        "risk": "Risk reduction / opportunity enablement",
    },
    "opportunity": {"importance": "Importance", "satisfaction": "Satisfaction today"},
}
SCALES = {"wsjf": FIBONACCI, "opportunity": OPPORTUNITY_SCALE}


NO_SCHEME = (
    "This team scores no items yet, so there is no order to suggest. Choose how: "
    "`/timebox settings priority wsjf` (weighted shortest job first) or "
    "`/timebox settings priority opportunity` (importance and satisfaction)."
)
STALE_SUGGESTION = (
    "The suggested order changed since it was shown (an item or a score changed), "
    "so I moved nothing. `/backlog priority` shows it as it is now."
)


def parse_scheme(text: str) -> str | None:
    """`wsjf`, `opportunity` or `off` (None)."""
    word = text.strip().lower()
    if word not in SCHEME_WORDS:
        raise UserError(
            f"`{text.strip()}` is not a prioritisation: say `wsjf`, `opportunity` or `off`."
        )
    return SCHEME_WORDS[word]


def parse_moscow(value: str | None) -> str | None:
    """A MoSCoW choice of the item form (its key), as the priority it names; `=text` keeps a
    priority that is no MoSCoW (one imported from Jira, say) as it is; nothing: none."""
    if not value:
        return None
    if value.startswith("="):
        return value[1:33] or None
    if value not in MOSCOW:
        raise UserError("Choose Must, Should, Could or Won't.")
    return MOSCOW[value]


def moscow_key(priority: str | None) -> str | None:
    """The MoSCoW key of a priority, if it is one."""
    return next((key for key, label in MOSCOW.items() if label == priority), None)


def parse_input(scheme: str, name: str, value: str | None) -> int | None:
    """One scoring input of the item form, checked against its scale; nothing: None."""
    if value is None or not str(value).strip():
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number not in SCALES[scheme]:
        scale = ", ".join(str(n) for n in SCALES[scheme])
        raise UserError(f"{INPUTS[scheme][name]} is one of {scale}.")
    return number


def merged_scores(old: dict[str, int], given: dict[str, int | None]) -> dict[str, int]:
    """The item's inputs after a form: the given ones replace theirs (None clears one); the
    other scheme's inputs stay."""
    merged = {**(old or {}), **given}
    return {name: value for name, value in merged.items() if value is not None}


def with_scores(item: BacklogItem, edits: dict[str, Any]) -> dict[str, Any]:
    """The item form's edits, its scoring inputs merged with the item's others."""
    if "scores" not in edits:
        return edits
    return {**edits, "scores": merged_scores(item.scores, edits["scores"])}


def changes_priority(item: BacklogItem, edits: dict[str, Any]) -> bool:
    """Whether the item form's edits change the item's (MoSCoW) priority: the Product
    Owner's to change."""
    return "priority" in edits and edits["priority"] != item.priority


def require_scheme(scheme: str | None) -> str:
    """The team's scoring scheme, or guidance on choosing one: no scheme, no order to suggest."""
    if scheme is None:
        raise UserError(NO_SCHEME)
    return scheme


@dataclass(frozen=True)
class Score:
    number: int
    value: float | None
    """None: an input is missing."""
    missing: tuple[str, ...] = ()


def score(item: BacklogItem, scheme: str) -> Score:
    """The item's score under `scheme`, or what it lacks."""
    given = item.scores or {}
    missing = [label.lower() for name, label in INPUTS[scheme].items() if given.get(name) is None]
    if scheme == "wsjf":
        if item.estimate == 0:  # a fine estimate, but no job size to divide by
            missing.append("an estimate above 0 (the job size)")
        elif not item.estimate:
            missing.append("an estimate (the job size)")
        if missing:
            return Score(item.number, None, tuple(missing))
        cost_of_delay = given["value"] + given["time"] + given["risk"]
        assert item.estimate is not None
        return Score(item.number, wsjf_value(cost_of_delay / item.estimate))
    if missing:
        return Score(item.number, None, tuple(missing))
    importance, satisfaction = given["importance"], given["satisfaction"]
    return Score(item.number, float(importance + max(importance - satisfaction, 0)))


def wsjf_value(value: float) -> float:
    """A WSJF as shown and compared: two decimals, and two significant digits below 1 (3 over
    a job size of 1000 is 0.003, not 0)."""
    return round(value, 2) if value >= 1 else float(f"{value:.2g}")


@dataclass(frozen=True)
class Suggestion:
    scheme: str
    current: list[int]
    """Item numbers in the real order."""
    suggested: list[int]
    """Item numbers in the suggested order."""
    scores: dict[int, Score]

    @property
    def lacking(self) -> list[Score]:
        return [self.scores[n] for n in self.current if self.scores[n].value is None]

    @property
    def changes(self) -> bool:
        return self.suggested != self.current

    @property
    def fingerprint(self) -> str:
        """Names the suggested order: a button applies it only while it is still the same."""
        text = f"{self.scheme}:" + ",".join(str(n) for n in self.suggested)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def suggest(items: Sequence[BacklogItem], scheme: str) -> Suggestion:
    """The suggested order of the backlog `items` (in their real order): the scored items
    sorted by score (highest first; ties by MoSCoW, then as they stand) in the places scored
    items hold; an item lacking inputs stays where it is."""
    scores = {item.number: score(item, scheme) for item in items}
    current = [item.number for item in items]
    places = [i for i, item in enumerate(items) if scores[item.number].value is not None]

    def key(index: int) -> tuple[float, int, int]:
        item = items[index]
        value = scores[item.number].value
        assert value is not None
        return (-value, MOSCOW_RANK.get(item.priority or "", len(MOSCOW)), index)

    suggested = list(current)
    for place, index in zip(places, sorted(places, key=key), strict=True):
        suggested[place] = items[index].number
    return Suggestion(scheme, current, suggested, scores)


@dataclass(frozen=True)
class Reordered:
    number: int
    old: int
    new: int
    """1-based positions."""


def require_unchanged(suggestion: Suggestion, shown: str) -> None:
    """An "Apply this order" button applies the suggestion it was shown with (`shown`, its
    fingerprint) only: once an item or a score changed the order, nothing moves."""
    if suggestion.fingerprint != shown:
        raise UserError(STALE_SUGGESTION)


def reorder(items: Sequence[BacklogItem], order: Sequence[int], now: datetime) -> list[Reordered]:
    """Ranks the backlog `items` (in their real order) in `order` (their numbers): the ranks
    they hold are handed out again in the new order (renumbered 1, 2, 3... when two share
    one). Returns the items that changed place, in their new order."""
    by_number = {item.number: item for item in items}
    if sorted(order) != sorted(by_number):
        raise UserError("The backlog changed since this order was suggested. Nothing was moved.")
    ranks = [item.rank for item in items]
    if any(a >= b for a, b in pairwise(ranks)):
        ranks = [float(n) for n in range(1, len(items) + 1)]
    old = {item.number: position for position, item in enumerate(items, start=1)}
    moved = []
    for position, (number, rank) in enumerate(zip(order, ranks, strict=True), start=1):
        item = by_number[number]
        if item.rank != rank:
            item.rank = rank
            item.updated_at = now
        if old[number] != position:
            moved.append(Reordered(number, old[number], position))
    return moved
