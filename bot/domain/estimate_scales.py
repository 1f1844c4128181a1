"""The estimates a tracker issue can hold.

A Linear team estimates on one scale (its settings > Estimates), and Linear refuses any other
value. The connection keeps the team's choice in its snapshot (`estimation`, `extended`,
`allow_zero`, `team_name`: bot/trackers/linear.py `snapshot()`), so an estimate off the scale
is refused where it is set (the item form, poker's accept), rather than written to Linear and
retried hourly. Jira and GitHub take any number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.readiness import points

LINEAR_SCALES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "exponential": ((1, 2, 4, 8, 16), (32, 64)),
    "fibonacci": ((1, 2, 3, 5, 8), (13, 21)),
    "linear": ((1, 2, 3, 4, 5), (6, 7)),
    "tShirt": ((1, 2, 3, 5, 8), (13, 21)),
}
"""Linear's estimate scales: the values each allows, and those "extended" estimates add ("allow
zero" adds 0). T-shirt sizes are stored as these numbers too."""
TSHIRT = {0: "0", 1: "XS", 2: "S", 3: "M", 5: "L", 8: "XL", 13: "XXL", 21: "XXXL"}
SCALE_NAMES = {
    "exponential": "exponential",
    "fibonacci": "Fibonacci",
    "linear": "linear",
    "tShirt": "T-shirt",
}


def allowed_estimates(kind: str, *, extended: bool, allow_zero: bool) -> tuple[int, ...]:
    """The values a Linear team's estimate scale allows (empty: the team does not estimate)."""
    base, more = LINEAR_SCALES.get(kind, ((), ()))
    values = (*base, *(more if extended else ()))
    return ((0,) if allow_zero and values else ()) + values


@dataclass(frozen=True)
class EstimateScale:
    """The estimates an item's issue can hold: its Linear team's scale."""

    team: str
    kind: str  # a key of LINEAR_SCALES
    extended: bool = False
    allow_zero: bool = False

    @classmethod
    def of(cls, tracker: str, snapshot: Mapping[str, Any]) -> EstimateScale | None:
        """The scale a connection's snapshot keeps: a Linear team's; None for a tracker that
        takes any number, or a team that does not estimate (its check says so)."""
        kind = snapshot.get("estimation")
        if tracker != "linear" or kind not in LINEAR_SCALES:
            return None
        name = str(snapshot.get("team_name") or snapshot.get("team_key") or "?")
        extended, zero = bool(snapshot.get("extended")), bool(snapshot.get("allow_zero"))
        return cls(name, str(kind), extended, zero)

    @property
    def values(self) -> tuple[int, ...]:
        return allowed_estimates(self.kind, extended=self.extended, allow_zero=self.allow_zero)

    def holds(self, value: float) -> bool:
        return float(value).is_integer() and int(value) in self.values

    def refusal(self, value: float) -> str:
        """Why `value` cannot be the estimate, naming the values the scale has, and the
        setting of the team's that would add it, if one would."""
        sized = self.kind == "tShirt"
        named = [f"{TSHIRT[v]} = {v}" if sized and v else str(v) for v in self.values]
        values = f"{', '.join(named[:-1])} or {named[-1]}" if len(named) > 1 else named[0]
        text = (
            f"Linear team {self.team} estimates on its {SCALE_NAMES[self.kind]} scale: "
            f"{values}. It has no {points(value)}, so Linear would refuse it: choose one of these"
        )
        if not replace(self, extended=True, allow_zero=True).holds(value):
            return text + "."
        setting = "Allow zero estimates" if value == 0 else "Extended estimates"
        return text + f", or turn on {setting} in the team's settings > Estimates in Linear."
