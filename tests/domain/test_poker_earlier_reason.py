"""A counted vote keeps what its voter had given before it, card and reason: a vote taken back
(its voter had left the channel, `poker_uc.disown`) gives that earlier vote back whole."""

from __future__ import annotations

from bot.domain import poker
from storage.models import PokerPoll, PokerRound


def _round() -> tuple[PokerRound, PokerPoll]:
    poll = PokerPoll(id=1, team_id=1, voters=["A", "B"], deck={}, facilitator="F")
    return PokerRound(id=1, poll_id=1, item_number=4, number=1, status="voting"), poll


def test_a_vote_knows_the_reason_given_with_the_card_before_it():
    round_, poll = _round()
    picks = [poker.Pick("A", "8"), poker.Pick("A", "13", "  bigger   now "), poker.Pick("B", "5")]
    count = poker.count_picks(round_, poll, None, {"A": "3"}, picks, reasons={"A": "small"})
    changed, again, first = count.outcomes
    assert isinstance(changed, poker.Cast) and isinstance(again, poker.Cast)
    assert (changed.earlier, changed.earlier_reason) == ("3", "small")
    assert (again.earlier, again.earlier_reason) == ("8", ""), "the pick counted just before"
    assert isinstance(first, poker.Cast)
    assert (first.earlier, first.earlier_reason) == (None, "")


def test_without_reasons_an_earlier_vote_has_none():
    round_, poll = _round()
    [cast] = poker.count_picks(round_, poll, None, {"A": "3"}, [poker.Pick("A", "8")]).outcomes
    assert isinstance(cast, poker.Cast) and (cast.earlier, cast.earlier_reason) == ("3", "")
