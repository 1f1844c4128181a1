"""A consensus takes two estimates or more: a poll that closed with one vote of three offers
that estimate, but nobody agreed with it."""

from __future__ import annotations

from bot.domain.decks import Ballot, Deck, tally

FIB = Deck.named("fibonacci")


def votes(*cards: str) -> list[Ballot]:
    return [Ballot(f"U{i}", card) for i, card in enumerate(cards)]


def test_a_single_estimate_is_offered_but_is_no_consensus():
    t = tally(FIB, votes("3"))
    assert not t.consensus and t.lone
    assert t.suggestion == "3" and t.choices == ("3",), "the facilitator may still take it"
    with_a_break = tally(FIB, votes("3", "coffee"))
    assert not with_a_break.consensus and with_a_break.lone, "the break card is no estimate"


def test_two_estimates_on_one_card_are_a_consensus():
    t = tally(FIB, votes("3", "3"))
    assert t.consensus and not t.lone


def test_a_single_estimate_beside_a_question_mark_is_neither():
    t = tally(FIB, votes("3", "?"))
    assert not t.consensus and not t.lone and t.suggestion is None
    assert not tally(FIB, []).lone and not tally(FIB, votes("coffee")).lone
