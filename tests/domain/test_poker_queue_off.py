"""A live poll's queue and the items that left the backlog, as plain rules: the queue passes
over an item off the backlog rather than open a round on it, and an open live round nobody
voted in on such an item is the one to withdraw."""

from __future__ import annotations

from bot.domain.poker_items import next_item, to_withdraw
from storage.models import PokerPoll
from tests.domain.test_poker_items_left import rounds


def test_the_queue_passes_over_items_that_left_the_backlog():
    poll = PokerPoll(items=[1, 2, 3, 4], mode="live")
    latest = rounds(i1="accepted")
    assert next_item(poll, latest) == ([], 2)
    assert next_item(poll, latest, {2: "archived", 3: "done"}) == ([2, 3], 4)
    assert next_item(poll, latest, {2: "archived", 4: "gone"}) == ([2], 3)
    assert next_item(poll, latest, {2: "a", 3: "a", 4: "a"}) == ([2, 3, 4], None)
    assert next_item(PokerPoll(items=[1, 2], mode="async"), {}, {1: "done"}) == ([], None)


def test_only_an_open_live_round_nobody_voted_in_is_withdrawn():
    live, latest = PokerPoll(items=[1, 2], mode="live"), rounds(i1="voting")
    assert to_withdraw(live, latest, [1], {11: []}) is latest[1]
    assert to_withdraw(live, latest, [1], {11: ["U1"]}) is None, "the facilitator reveals"
    assert to_withdraw(live, latest, [2], {11: []}) is None, "its item is on the backlog"
    assert to_withdraw(live, rounds(i1="revealed"), [1], {}) is None
    assert to_withdraw(PokerPoll(items=[1], mode="async"), latest, [1], {11: []}) is None
