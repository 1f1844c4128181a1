"""Planning poker decks, the T-shirt table, and the statistics of a revealed round.

Pure functions over cards (strings such as "5", "1/2", "M", "?", "coffee"): no database, no
Slack, so the arithmetic users argue about (median, consensus, spread) is easy to test.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from bot.domain.backlog import ESTIMATE_MAX
from bot.domain.errors import UserError
from bot.domain.readiness import points, points_unit

UNSURE = "?"
BREAK = "coffee"
SPECIAL = (UNSURE, BREAK)
DECKS: dict[str, tuple[str, ...]] = {
    "fibonacci": ("0", "1/2", "1", "2", "3", "5", "8", "13", "21", UNSURE, BREAK),
    "modified": ("0", "1/2", "1", "2", "3", "5", "8", "13", "20", "40", "100", UNSURE),
    "tshirt": ("XS", "S", "M", "L", "XL", UNSURE),
}
DECK_NAMES = {
    "fibonacci": "Fibonacci",
    "modified": "Modified Fibonacci",
    "tshirt": "T-shirt sizes",
    "custom": "Custom",
}
DECK_ALIASES = {
    "fibonacci": "fibonacci",
    "fib": "fibonacci",
    "modified": "modified",
    "modified-fibonacci": "modified",
    "mod": "modified",
    "tshirt": "tshirt",
    "t-shirt": "tshirt",
    "sizes": "tshirt",
}
TSHIRT_SIZES = ("XS", "S", "M", "L", "XL")
DEFAULT_TSHIRT: dict[str, float] = {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}
MAX_CARDS = 30
NEIGHBOURS_RULE = (
    "votes on two neighbouring cards of the deck are close enough to settle without a "
    "re-vote; the higher card is the safer estimate"
)


def card_label(card: str) -> str:
    """How a card is shown: ½ for 1/2, a coffee cup for the break card."""
    return {"1/2": "½", BREAK: "☕"}.get(card, card)


def _number_text(value: float) -> str:
    return "1/2" if value == 0.5 else f"{value:g}"


def normalize_card(word: str) -> str:
    """A card as typed (`0.5`, `½`, `☕`, `Coffee`, `8.0`) in its stored form."""
    text = word.strip().strip(":").lower()
    if text in ("?", "??", "unsure"):
        return UNSURE
    if text in ("coffee", "☕", "break", "pause"):
        return BREAK
    if text in ("½", "1/2"):
        return "1/2"
    if text.upper() in TSHIRT_SIZES:
        return text.upper()
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise UserError(
            f"`{word.strip()}` is not a card: use numbers such as `1`, `0.5` or `13`, "
            "plus `?` and `coffee` if you like."
        ) from None
    if not math.isfinite(value) or value < 0 or value > ESTIMATE_MAX:
        raise UserError(f"A card is between 0 and {ESTIMATE_MAX} points; `{word.strip()}` is not.")
    return _number_text(value)


@dataclass(frozen=True)
class Deck:
    """The cards of a poll, in order, and the points of T-shirt sizes."""

    name: str
    cards: tuple[str, ...]
    tshirt: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TSHIRT))

    @classmethod
    def named(cls, name: str, tshirt: Mapping[str, float] | None = None) -> Deck:
        return cls(name, DECKS[name], dict(tshirt or DEFAULT_TSHIRT))

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Deck:
        """A team's or a poll's deck as stored (an empty dict is the Fibonacci default)."""
        data = data or {}
        tshirt = {k: float(v) for k, v in (data.get("tshirt") or DEFAULT_TSHIRT).items()}
        name = data.get("deck") or data.get("name") or "fibonacci"
        if name == "custom":
            return cls("custom", tuple(data.get("cards") or DECKS["fibonacci"]), tshirt)
        return cls(name, DECKS.get(name, DECKS["fibonacci"]), tshirt)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"deck": self.name, "tshirt": dict(self.tshirt)}
        if self.name == "custom":
            data["cards"] = list(self.cards)
        return data

    @property
    def title(self) -> str:
        return DECK_NAMES.get(self.name, self.name)

    def points(self, card: str) -> float | None:
        """Story points of a card; None for `?` and the break card."""
        if card in SPECIAL:
            return None
        if card in self.tshirt and card in TSHIRT_SIZES:
            return float(self.tshirt[card])
        if card == "1/2":
            return 0.5
        try:
            return float(card)
        except ValueError:
            return None

    @property
    def pointed(self) -> tuple[str, ...]:
        """The cards that are estimates, in deck order (what can be accepted)."""
        return tuple(c for c in self.cards if self.points(c) is not None)

    def card(self, word: str) -> str:
        """The deck's card for what a user picked or typed; UserError if it is not in the deck."""
        try:
            card = normalize_card(word)
        except UserError:
            card = word.strip()
        if card not in self.cards:
            shown = ", ".join(card_label(c) for c in self.cards)
            raise UserError(f"`{word.strip()}` is not a card of this deck ({shown}).")
        return card

    @property
    def sized(self) -> bool:
        """Whether the cards are T-shirt sizes (their points are the table's)."""
        return any(card in TSHIRT_SIZES for card in self.cards)

    def in_cards(self, value: float | None) -> str:
        """A statistic in the deck's terms: points for a number deck (`4.5`), the nearest size
        with the points for a T-shirt deck (`≈ L (4.5 pts)`), so sizes and points never mix."""
        if value is None:
            return ""
        if not self.sized:
            return points(value)
        sizes = [c for c in self.pointed if c in TSHIRT_SIZES]
        # the nearer size; on a tie the larger, the safer estimate
        near = min(reversed(sizes), key=lambda c: abs((self.points(c) or 0.0) - value))
        exact = self.points(near) == value
        return f"{near} ({points_unit(value)})" if exact else f"≈ {near} ({points_unit(value)})"

    def describe(self, card: str) -> str:
        """A card with its points where they differ from its face: `M (3 pts)`."""
        points = self.points(card)
        if card in TSHIRT_SIZES and points is not None:
            return f"{card} ({points_unit(points)})"
        return card_label(card)


def parse_deck(text: str, tshirt: Mapping[str, float] | None = None) -> Deck:
    """`fibonacci`, `modified`, `tshirt`, or a custom deck such as `1,2,4,8,?`."""
    words = text.strip()
    if not words:
        raise UserError(
            "Name a deck: `fibonacci`, `modified`, `tshirt`, or cards like `1,2,4,8,?`."
        )
    name = DECK_ALIASES.get(words.lower())
    if name is not None:
        return Deck.named(name, tshirt)
    parts = [p for p in re.split(r"[\s,;]+", words) if p]
    if len(parts) == 1 and not re.search(r"\d|\?", parts[0]):
        raise UserError(
            f"`{parts[0]}` is not a deck I know: use `fibonacci`, `modified`, `tshirt`, "
            "or list your cards, e.g. `1,2,4,8,?`."
        )
    cards = [normalize_card(p) for p in parts]
    if any(c in TSHIRT_SIZES for c in cards):
        raise UserError("For T-shirt sizes use `/poker deck tshirt` and `/poker tshirt XS=1 …`.")
    duplicates = [card_label(c) for c, n in Counter(cards).items() if n > 1]
    if duplicates:
        raise UserError(f"Each card once, please: {', '.join(duplicates)} is there twice.")
    numbers = [c for c in cards if c not in SPECIAL]
    if len(numbers) < 2:
        raise UserError("A deck needs at least two number cards, e.g. `1,2,4,8,?`.")
    if len(cards) > MAX_CARDS:
        raise UserError(f"A deck can have {MAX_CARDS} cards at most; this one has {len(cards)}.")
    values = [_value(c) for c in numbers]
    if values != sorted(values):
        raise UserError("List the number cards from small to large, e.g. `1,2,4,8,?`.")
    specials = [c for c in SPECIAL if c in cards]
    return Deck("custom", (*numbers, *specials), dict(tshirt or DEFAULT_TSHIRT))


def _value(card: str) -> float:
    return 0.5 if card == "1/2" else float(card)


def parse_tshirt(words: Sequence[str], current: Mapping[str, float]) -> dict[str, float]:
    """`XS=1 S=2 M=3 L=5 XL=8` (any of them) over the current table; sizes must grow."""
    table = {size: float(current.get(size, DEFAULT_TSHIRT[size])) for size in TSHIRT_SIZES}
    pairs = [p for p in re.split(r"[\s,;]+", " ".join(words)) if p]
    if not pairs:
        raise UserError("Give sizes with points, e.g. `XS=1 S=2 M=3 L=5 XL=8`.")
    for pair in pairs:
        match = re.fullmatch(r"(?i)(xs|s|m|l|xl)[=:](\d+(?:[.,]\d+)?)", pair)
        if match is None:
            raise UserError(f"`{pair}` is not a size with points, like `M=3`.")
        value = float(match.group(2).replace(",", "."))
        if value > ESTIMATE_MAX:
            raise UserError(f"Points are between 0 and {ESTIMATE_MAX}.")
        table[match.group(1).upper()] = value
    for (small, a), (large, b) in pairwise((s, table[s]) for s in TSHIRT_SIZES):
        if b < a:
            raise UserError(f"Sizes must grow: {large}={b:g} is less than {small}={a:g}.")
    return table


# -- statistics of a revealed round ------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    voter: str
    card: str
    reason: str = ""


@dataclass(frozen=True)
class Tally:
    """What a reveal shows: the distribution, its statistics and the suggested estimate."""

    deck: Deck
    ballots: tuple[Ballot, ...]
    distribution: tuple[tuple[str, tuple[str, ...]], ...]  # (card, voters) in deck order
    median: float | None
    modes: tuple[str, ...]
    average: float | None
    low: str | None
    high: str | None
    steps: int  # how many cards apart the lowest and highest vote lie
    suggestion: str | None
    adjacent: bool  # the suggestion is the higher of two neighbouring cards
    unsure: tuple[str, ...]  # voters of `?`
    breaks: tuple[str, ...]  # voters of the break card
    lowest: tuple[str, ...]  # voters of the lowest card, when there is no consensus
    highest: tuple[str, ...]

    @property
    def consensus(self) -> bool:
        """Two estimates or more, all on one card, nobody unsure: the votes agree."""
        return self.suggestion is not None and not self.adjacent and self.estimates > 1

    @property
    def lone(self) -> bool:
        """A single estimate (a poll that closed with one vote, say): it is offered, but
        nobody agreed with it, so it is no consensus."""
        return self.suggestion is not None and self.estimates == 1

    @property
    def choices(self) -> tuple[str, ...]:
        """The cards the facilitator is offered to accept: the consensus, or both
        neighbouring cards (lowest first); none when the votes are further apart."""
        if self.suggestion is None:
            return ()
        if self.adjacent and self.low is not None and self.high is not None:
            return (self.low, self.high)
        return (self.suggestion,)

    @property
    def estimates(self) -> int:
        return sum(1 for b in self.ballots if self.deck.points(b.card) is not None)

    @property
    def reasons(self) -> tuple[Ballot, ...]:
        return tuple(b for b in self.ballots if b.reason.strip())


def tally(deck: Deck, ballots: Iterable[Ballot]) -> Tally:
    """The statistics of a round's votes.

    `?` means "needs discussion" and the break card is a request for a pause: neither is an
    estimate. A consensus is two estimates or more on one card and nobody unsure; a lone
    estimate is offered all the same (`lone`). Estimates on two neighbouring cards of the deck
    are close enough to settle without a re-vote, but they do not agree: both are offered
    (`choices`), the facilitator decides, and `suggestion` names the higher one, the safer
    estimate (NEIGHBOURS_RULE says so in words).
    """
    ballots = tuple(ballots)
    order = {card: i for i, card in enumerate(deck.cards)}
    by_card: dict[str, list[str]] = {}
    for ballot in sorted(ballots, key=lambda b: order.get(b.card, len(order))):
        by_card.setdefault(ballot.card, []).append(ballot.voter)
    distribution = tuple((card, tuple(voters)) for card, voters in by_card.items())
    pointed = deck.pointed
    position = {card: i for i, card in enumerate(pointed)}
    estimates = [b for b in ballots if b.card in position]
    values = [deck.points(b.card) or 0.0 for b in estimates]
    unsure = tuple(b.voter for b in ballots if b.card == UNSURE)
    breaks = tuple(b.voter for b in ballots if b.card == BREAK)
    if not estimates:
        return Tally(
            deck=deck,
            ballots=ballots,
            distribution=distribution,
            median=None,
            modes=(),
            average=None,
            low=None,
            high=None,
            steps=0,
            suggestion=None,
            adjacent=False,
            unsure=unsure,
            breaks=breaks,
            lowest=(),
            highest=(),
        )
    counts = Counter(b.card for b in estimates)
    top = max(counts.values())
    modes = tuple(sorted((c for c, n in counts.items() if n == top), key=position.__getitem__))
    used = sorted(counts, key=position.__getitem__)
    low, high = used[0], used[-1]
    steps = position[high] - position[low]
    suggestion = high if steps <= 1 and not unsure else None
    lowest = highest = ()
    if suggestion is None and steps > 0:
        lowest = tuple(b.voter for b in estimates if b.card == low)
        highest = tuple(b.voter for b in estimates if b.card == high)
    return Tally(
        deck=deck,
        ballots=ballots,
        distribution=distribution,
        median=float(statistics.median(values)),
        modes=modes,
        average=round(statistics.fmean(values), 1),
        low=low,
        high=high,
        steps=steps,
        suggestion=suggestion,
        adjacent=suggestion is not None and steps == 1,
        unsure=unsure,
        breaks=breaks,
        lowest=lowest,
        highest=highest,
    )
