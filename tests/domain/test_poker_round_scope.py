"""What a poll's round is about, as plain rules: whom a revealed round waited for (kept at its
reveal, so a result drawn again never names a voter who joined the poll after it), an item
that left the backlog (no vote counted on it, no estimate to accept), and the deck a poll
offers when its items' tracker holds only some estimates (a Linear team's scale)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import poker
from bot.domain.decks import Deck
from bot.domain.errors import UserError
from bot.domain.estimate_scales import EstimateScale
from bot.domain.poker_items import deck_for, left_out, off_backlog, poll_deck
from storage.models import PokerPoll, PokerRound, PokerVote
from tests.domain import factories

NOW = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
FIBONACCI_1_8 = EstimateScale("Engineering", "fibonacci")


def revealed(voters: list[str], cards: dict[str, str], **round_: object) -> poker.Result:
    poll = PokerPoll(mode="async", voters=voters, deck={"deck": "fibonacci"}, facilitator="S")
    fields = {"item_number": 1, "number": 1, "status": "revealed", "revealed_at": NOW, **round_}
    ballots = [PokerVote(voter=v, card=c, reason="") for v, c in cards.items()]
    return poker.build_result(poll, PokerRound(**fields), factories.item(), ballots, rounds=1)


def test_a_result_names_as_not_voted_only_whom_its_round_waited_for():
    later = revealed(["K", "B", "D"], {"K": "5", "B": "5"}, awaited=["K", "B"])
    assert later.not_voted == (), "D joined the poll after the reveal"
    missing = revealed(["K", "B", "D"], {"K": "5"}, awaited=["K", "B"])
    assert missing.not_voted == ("B",)


def test_a_round_revealed_before_whom_it_waited_for_was_kept_falls_back():
    everyone = revealed(["K", "B", "D"], {"K": "5", "B": "5"}, reveal_reason="all voted")
    assert everyone.not_voted == (), "everyone it waited for voted, as its headline says"
    closed = revealed(["K", "B", "D"], {"K": "5"}, reveal_reason="deadline")
    assert closed.not_voted == ("B", "D"), "the poll's voters as they are now"


def test_a_reveal_keeps_whom_the_round_waited_for():
    poll = PokerPoll(voters=["K", "B"])
    fields = poker.reveal_fields(poll, NOW, "early", "S")
    assert fields == {
        "revealed_at": NOW,
        "reveal_reason": "early",
        "awaited": ["K", "B"],
        "revealed_by": "S",
    }
    poll.voters.append("D")
    assert fields["awaited"] == ["K", "B"], "a copy: joining later changes nothing"


def test_an_item_off_the_backlog_takes_no_vote_and_offers_nothing_to_accept():
    assert off_backlog(factories.item(status="new")) is None
    assert off_backlog(factories.item(archived_at=NOW)) == "archived"
    assert off_backlog(factories.item(status="done")) == "done"
    assert off_backlog(None) == "gone"
    poll = PokerPoll(mode="async", voters=["K"], deck={"deck": "fibonacci"}, facilitator="S")
    round_ = PokerRound(id=9, item_number=23, number=1, status="voting")
    counted = poker.count_picks(round_, poll, None, {}, [poker.Pick("K", "5")], off="archived")
    [refused] = counted.outcomes
    assert isinstance(refused, UserError) and "#23 was archived" in str(refused)
    assert counted.votes == {} and not counted.revealed
    result = revealed(["K"], {"K": "5"}, awaited=["K"])
    assert result.off is None
    archived = poker.build_result(
        result.poll, result.round, factories.item(archived_at=NOW), [], rounds=1
    )
    assert archived.off == "archived"


def test_a_board_row_of_an_archived_item_waits_for_nobody():
    poll = PokerPoll(mode="async", voters=["K", "B"], deck={}, items=[1, 2], facilitator="S")
    rounds = {
        n: PokerRound(id=n, poll_id=1, item_number=n, number=1, status="voting") for n in (1, 2)
    }
    items = [factories.item(1), factories.item(2, archived_at=NOW)]
    board = poker.build_board(poll, items, rounds, {1: [], 2: []}, {})
    assert [row.off for row in board.rows] == [None, "archived"]
    assert [row.waiting for row in board.rows] == [("K", "B"), ()]
    withdrawn = PokerRound(id=2, poll_id=1, item_number=2, number=1, status=poker.WITHDRAWN)
    rows = poker.build_board(poll, items, {**rounds, 2: withdrawn}, {1: []}, {2: []}).rows
    assert rows[1].tally is None, "a withdrawn round's votes are never revealed"
    assert poker.all_settled(PokerPoll(items=[2]), {2: withdrawn})


def test_a_polls_deck_offers_only_the_cards_the_trackers_scale_holds():
    data = deck_for(Deck.named("fibonacci"), [FIBONACCI_1_8, None, FIBONACCI_1_8])
    poll = PokerPoll(deck=data)
    deck = poll_deck(poll)
    assert deck.name == "fibonacci", "still the team's deck, by name"
    assert deck.cards == ("1", "2", "3", "5", "8", "?", "coffee")
    left = left_out(poll)
    assert left is not None and left.cards == ("0", "1/2", "13", "21") and not left.offered
    assert left.scale == "Linear team Engineering's Fibonacci scale"
    extended = EstimateScale("Engineering", "fibonacci", extended=True, allow_zero=True)
    assert poll_deck(PokerPoll(deck=deck_for(Deck.named("fibonacci"), [extended]))).cards == (
        "0",
        "1",
        "2",
        "3",
        "5",
        "8",
        "13",
        "21",
        "?",
        "coffee",
    )


def test_a_deck_the_scale_would_leave_too_few_cards_is_offered_whole_and_says_so():
    halves = Deck("custom", ("1/2", "1", "?"))
    data = deck_for(halves, [FIBONACCI_1_8])
    assert poll_deck(PokerPoll(deck=data)).cards == halves.cards
    left = left_out(PokerPoll(deck=data))
    assert left is not None and left.cards == ("1/2",) and left.offered


def test_a_deck_of_a_tracker_that_takes_any_number_is_the_teams():
    assert deck_for(Deck.named("modified"), [None]) == Deck.named("modified").to_data()
    assert left_out(PokerPoll(deck=Deck.named("modified").to_data())) is None
