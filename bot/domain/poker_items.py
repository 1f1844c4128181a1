"""What a poll may estimate: the cards its items' issues can hold (a Linear team's scale),
and whether an item is still on the backlog. A poll keeps the first from its start
(`deck_for`); the second is asked of the item as it is now, whoever archived it meanwhile.

Plain rules over rows given as data, as bot/domain/poker.py's are (it uses these).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain import backlog
from bot.domain.decks import BREAK, SPECIAL, TSHIRT_SIZES, Deck
from bot.domain.errors import UserError
from bot.domain.estimate_scales import SCALE_NAMES, EstimateScale
from storage.models import BacklogItem, PokerPoll, PokerRound

WITHDRAWN = "withdrawn"  # a round closed unrevealed: its item left the backlog (`off_backlog`)
TAKEN_OVER = "taken over"  # a WITHDRAWN round's reveal_reason: a newer poll estimates its item


# -- the deck -------------------------------------------------------------------------------


def poll_deck(poll: PokerPoll) -> Deck:
    """The deck a poll plays: the team's when it started, without the cards its items' issues
    cannot hold (`offered`, kept by `deck_for`)."""
    deck = Deck.from_data(poll.deck)
    offered = (poll.deck or {}).get("offered")
    if not offered:
        return deck
    return Deck(deck.name, tuple(c for c in deck.cards if c in offered), deck.tshirt)


def deck_for(deck: Deck, scales: Iterable[EstimateScale | None]) -> dict[str, Any]:
    """The deck a new poll keeps (`PokerPoll.deck`): `deck`, less the estimate cards its items'
    issues cannot hold (`scales`: a Linear team's, None for an issue that takes any number),
    so no round settles on a card its Accept would refuse. The cards left out (`left_out`) and
    why (`scale`) are kept for the poll to say; with fewer than two estimate cards left, every
    card is offered and those are only named as cards that cannot be accepted."""
    data = deck.to_data()
    known = [s for s in dict.fromkeys(scales) if s is not None]

    def held(card: str) -> bool:
        value = deck.points(card)
        return value is None or all(scale.holds(value) for scale in known)

    kept = [c for c in deck.cards if held(c)]
    if len(kept) == len(deck.cards):
        return data
    data["left_out"] = [c for c in deck.cards if c not in kept]
    data["scale"] = " and ".join(scale_name(s) for s in known)
    if sum(deck.points(c) is not None for c in kept) >= 2:
        data["offered"] = kept
    return data


@dataclass(frozen=True)
class LeftOut:
    """Estimate cards of the team's deck a poll's items cannot take, and the scale that lacks
    them: left out of its deck, or (`offered`: too few cards would be left) offered all the
    same, though none of them can be accepted."""

    cards: tuple[str, ...]
    scale: str
    offered: bool


def left_out(poll: PokerPoll) -> LeftOut | None:
    """What `deck_for` kept out of the poll's deck, for the poll to say at its start."""
    return _left(poll.deck or {})


def _left(data: Mapping[str, Any]) -> LeftOut | None:
    cards = tuple(data.get("left_out") or ())
    if not cards:
        return None
    return LeftOut(cards, str(data.get("scale") or ""), not data.get("offered"))


def scale_name(scale: EstimateScale) -> str:
    """The scale as a poll and the deck's answer name it, alike."""
    return f"Linear team {scale.team}'s {SCALE_NAMES[scale.kind]} scale"


@dataclass(frozen=True)
class ScaleFit:
    """A channel's deck against its tracker's estimate scale, said as the deck is set or shown
    (so the team is not surprised at its next poll): the cards a poll on the tracker's issues
    leaves out (`deck_for`), those it offers, and the command that sets a deck on the scale."""

    left: LeftOut
    offered: tuple[str, ...]
    command: str


def scale_fit(deck: Deck, scale: EstimateScale | None) -> ScaleFit | None:
    """How `deck` fits `scale` (the channel's tracker's; None: it takes any number); None when
    every card fits."""
    if scale is None:
        return None
    data = deck_for(deck, [scale])
    left = _left(data)
    if left is None:
        return None
    return ScaleFit(left, tuple(data.get("offered") or deck.cards), on_scale(deck, scale))


def on_scale(deck: Deck, scale: EstimateScale) -> str:
    """The command giving the channel a deck on `scale`: its values as sizes of a T-shirt
    deck, else as cards, keeping the deck's `?` and break card."""
    if deck.sized:
        sizes = zip(TSHIRT_SIZES, [v for v in scale.values if v], strict=False)
        return "/poker tshirt " + " ".join(f"{size}={value}" for size, value in sizes)
    specials = ["coffee" if c == BREAK else c for c in deck.cards if c in SPECIAL]
    return "/poker deck " + ",".join([*map(str, scale.values), *specials])


# -- items that left the backlog -------------------------------------------------------------


def off_backlog(item: BacklogItem | None) -> str | None:
    """Why a poll's item is estimated no more (archived, done, or gone from the backlog after
    the poll started); None while it is on the backlog. Its open round takes no vote, its
    reminders leave it out, its deadline closes it unrevealed (WITHDRAWN) and its result
    offers no estimate to accept."""
    if item is None:
        return "gone"
    status = backlog.status_of(item)
    return status if status in ("archived", "done") else None


def off_words(number: int, why: str) -> str:
    """`off_backlog` in words: `#23 was archived`."""
    return {
        "archived": f"#{number} was archived",
        "done": f"#{number} is done",
        "gone": f"#{number} is no longer on the backlog",
        TAKEN_OVER: f"#{number} is estimated in a newer poll",
    }.get(why, f"#{number} left the backlog during the poll")


def taken_over(number: int) -> UserError:
    """A click refused on a round a newer poll took its item from (`poker.taken_from`)."""
    return UserError(
        f"{off_words(number, TAKEN_OVER)} now: this round takes no more votes, reveals or "
        f"estimates, so nothing was changed. Use the newer poll's board for #{number} in this "
        "channel."
    )


def item_closed(number: int, why: str) -> UserError:
    """A vote refused on an item off the backlog (`off_backlog`)."""
    return UserError(
        f"Your vote was not counted: {off_words(number, why)}, so this poll estimates it no more."
    )


def shown_again(
    poll: PokerPoll, latest: Mapping[int, PokerRound], numbers: Collection[int]
) -> list[int] | None:
    """What an open poll shows again when its items `numbers` leave the backlog or come back
    to it (`latest`: its latest round per item): None if it holds none of them; else the ids
    of their revealed rounds, whose results offer an estimate to accept no more, or again
    (their board rows take votes or not: the board is shown again in any case)."""
    held = set(poll.items) & set(numbers)
    if not held:
        return None
    return sorted(r.id for n, r in latest.items() if n in held and r.status == "revealed")


def to_withdraw(
    poll: PokerPoll,
    latest: Mapping[int, PokerRound],
    off: Collection[int],
    voted: Mapping[int, Collection[str]],
) -> PokerRound | None:
    """A live poll's open round whose item left the backlog (`off`) and nobody voted in
    (`voted`: round id -> voters): withdrawn, so the queue moves on, rather than waiting for
    the reveal of an empty round. One with votes is the facilitator's to reveal, then skip
    (the votes given are shown); an async poll's waits for its deadline (its item may come
    back before)."""
    if poll.mode != "live":
        return None
    return next(
        (r for n, r in latest.items() if n in off and r.status == "voting" and not voted.get(r.id)),
        None,
    )


def next_item(
    poll: PokerPoll, latest: Mapping[int, PokerRound], off: Collection[int] = ()
) -> tuple[list[int], int | None]:
    """A live poll's queue moving on, once an item is settled: the items without a round it
    passes over, as they left the backlog (`off`: their rounds are withdrawn, never opened),
    and the next item to open a round on (None: the queue is done)."""
    if poll.mode != "live":
        return [], None
    passed = []
    for number in (n for n in poll.items if n not in latest):
        if number not in off:
            return passed, number
        passed.append(number)
    return passed, None
