"""The rule that an async round takes no vote at or after its deadline, whether or not
its deadline's job has revealed it yet (the bot was down), while a live round (no deadline)
and a vote just before the deadline are counted as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import poker
from bot.domain.errors import UserError
from storage.models import PokerPoll, PokerRound

DEADLINE = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def _round(deadline: datetime | None = DEADLINE) -> tuple[PokerRound, PokerPoll]:
    poll = PokerPoll(id=1, team_id=1, voters=["A", "B"], deck={}, facilitator="F")
    round_ = PokerRound(
        id=1, poll_id=1, item_number=4, number=1, status="voting", deadline=deadline
    )
    return round_, poll


def test_a_pick_at_or_after_the_deadline_is_refused_and_reveals_nothing():
    """Both voters' picks after the deadline: refused, saying the deadline passed, and the
    round is not revealed as "everyone voted" by them."""
    round_, poll = _round()
    picks = [poker.Pick("A", "8"), poker.Pick("B", "5")]
    for now in (DEADLINE, DEADLINE + timedelta(hours=2)):
        count = poker.count_picks(round_, poll, None, {}, picks, now=now)
        assert all(isinstance(o, UserError) for o in count.outcomes)
        assert "deadline has passed" in str(count.outcomes[0])
        assert count.votes == {} and not count.revealed


def test_a_pick_a_second_before_the_deadline_and_a_live_rounds_pick_count():
    """The deadline is the only change: a pick just before it counts (and, completing the
    votes, reveals the round); a live round, which has no deadline, takes picks any time."""
    round_, poll = _round()
    count = poker.count_picks(
        round_,
        poll,
        None,
        {"A": "3"},
        [poker.Pick("B", "5")],
        now=DEADLINE - timedelta(seconds=1),
    )
    assert isinstance(count.outcomes[0], poker.Cast) and count.revealed
    live, poll = _round(None)
    count = poker.count_picks(live, poll, None, {}, [poker.Pick("A", "8")], now=DEADLINE)
    assert isinstance(count.outcomes[0], poker.Cast)
