"""What a reveal suggests and whom it lacks: a median between two cards is shown as a card of
the deck (the lowest card at or above it), and the voters the round waited for who did not
vote are named."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import poker
from bot.domain.decks import Deck
from storage.models import PokerPoll, PokerRound, PokerVote

REVEALED = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)


def result(deck: str, voters: list[str], cards: dict[str, str]) -> poker.Result:
    poll = PokerPoll(mode="async", voters=voters, deck={"deck": deck}, facilitator="S")
    round_ = PokerRound(item_number=1, number=1, status="revealed", revealed_at=REVEALED)
    ballots = [PokerVote(voter=v, card=c, reason="") for v, c in cards.items()]
    return poker.build_result(poll, round_, None, ballots, rounds=1)


def test_a_median_between_cards_is_the_card_at_or_above_it():
    split = result("fibonacci", ["K", "B", "A"], {"K": "5", "B": "13"})
    assert split.tally.median == 9.0, "the statistic itself is kept"
    assert split.median_card == "13", "9 is no card: the next card up, never 8 below it"
    assert result("fibonacci", ["K", "B"], {"K": "1/2", "B": "1"}).median_card == "1"
    assert result("fibonacci", ["K", "B", "A"], {"K": "5", "B": "5", "A": "8"}).median_card == "5"
    assert result("modified", ["K", "B"], {"K": "20", "B": "100"}).median_card == "100"
    assert result("fibonacci", ["K"], {"K": "?"}).median_card is None, "no estimate, no median"


def test_a_tshirt_median_is_the_size_at_or_above_it():
    sized = result("tshirt", ["K", "B"], {"K": "S", "B": "L"})  # 2 and 5 points: 3.5
    assert sized.median_card == "L", "M (3 points) is nearer, but below the median"


def test_the_card_at_or_above_a_value_is_a_number_card_of_the_deck():
    deck = Deck.named("fibonacci")
    assert poker.card_at_or_above(deck, 9.0) == "13"
    assert poker.card_at_or_above(deck, 8.0) == "8"
    assert poker.card_at_or_above(deck, 0.2) == "1/2"
    assert poker.card_at_or_above(deck, 30.0) == "21", "past the deck: its highest card"


def test_the_reveal_names_the_voters_who_did_not_vote():
    split = result("fibonacci", ["K", "B", "A"], {"K": "5", "B": "13"})
    assert split.not_voted == ("A",)
    unsure = result("fibonacci", ["K", "B", "A"], {"K": "5", "B": "?", "A": "coffee"})
    assert unsure.not_voted == (), "? and the break card are votes, if no estimates"
    nobody = result("fibonacci", ["K", "B"], {})
    assert nobody.not_voted == ("K", "B")
