"""What an open poll shows again when some of its items leave the backlog, as a plain rule:
nothing for a poll that holds none of them; else its board, and the results of their
revealed rounds (an Accept to take away)."""

from __future__ import annotations

from bot.domain.poker_items import shown_again
from storage.models import PokerPoll, PokerRound


def rounds(**status: str) -> dict[int, PokerRound]:
    """Latest rounds by item number (`i3="revealed"`: item #3's), ids 10 + the number."""
    return {
        int(k[1:]): PokerRound(id=10 + int(k[1:]), item_number=int(k[1:]), number=1, status=v)
        for k, v in status.items()
    }


def test_a_poll_holding_none_of_the_items_shows_nothing_again():
    poll = PokerPoll(items=[1, 2])
    assert shown_again(poll, rounds(i1="voting", i2="revealed"), [3, 4]) is None


def test_a_poll_holding_one_shows_its_board_and_the_results_of_its_revealed_rounds():
    poll = PokerPoll(items=[1, 2, 3, 4])
    latest = rounds(i1="voting", i2="revealed", i3="accepted", i4="revealed")
    assert shown_again(poll, latest, [1]) == [], "its board only: no result to redraw"
    assert shown_again(poll, latest, [2, 3, 4, 9]) == [12, 14]
    assert shown_again(PokerPoll(items=[5]), {}, [5]) == [], "a live poll's item not polled yet"
