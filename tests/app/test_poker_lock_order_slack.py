"""Poker locks a poll's row before its rounds' in every transaction that locks both with a
SELECT ... FOR UPDATE or FOR SHARE, as these tests see them (a vote, counted or admitted once
Slack says its voter joined the channel; a reveal, a re-vote, a decision; the poll settling
who left, the reminders): two transactions taking them in opposite orders could deadlock on
PostgreSQL. (Rows an UPDATE locks by itself are not seen: the rounds a deadline reveals.)
SQLite locks the whole database per transaction, so only PostgreSQL shows the statements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.emulator.stack import LocalStack
from tests.app.test_poker_presence_slack import (
    test_someone_who_joins_the_channel_during_the_poll_may_vote as newcomer_votes,
)
from tests.app.test_poker_slack import (
    test_a_split_vote_goes_to_round_two_and_every_round_is_kept as revote_then_accept,
)
from tests.app.test_poker_slack import (
    test_only_voters_vote_and_only_the_facilitator_reveals_and_accepts as reveal_then_accept,
)


def _locked_table(statement: str) -> str | None:
    """The poker table a statement locks rows of (FOR UPDATE or FOR SHARE), if any."""
    clause = next((c for c in ("FOR UPDATE", "FOR SHARE") if c in statement), None)
    if clause is None:
        return None
    of = statement.split(clause, 1)[1]
    if "poker_rounds" in of or "poker_polls" in of:
        return "poker_rounds" if "poker_rounds" in of else "poker_polls"
    head = statement.split("WHERE", 1)[0].split("FROM", 1)[-1]
    for table in ("poker_polls", "poker_rounds"):
        if head.strip().startswith(table):
            return table
    return None


@pytest.fixture
def lock_orders(slack: LocalStack) -> Iterator[list[list[str]]]:
    """The poker tables each transaction locked, in order (one list per transaction)."""
    if slack.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes no row locks")
    engine = slack.db.engine.sync_engine
    current: dict[int, list[str]] = {}
    done: list[list[str]] = []

    def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if (table := _locked_table(statement)) is not None:
            current.setdefault(id(conn), []).append(table)

    def ended(conn: Any) -> None:
        if locked := current.pop(id(conn), None):
            done.append(locked)

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    yield done
    event.remove(engine, "before_cursor_execute", executed)
    event.remove(engine, "commit", ended)
    event.remove(engine, "rollback", ended)


async def test_a_vote_admitted_after_its_ack_locks_the_poll_before_the_round(slack, lock_orders):
    await newcomer_votes(slack)  # a newcomer's vote is admitted, then everyone votes
    both = [order for order in lock_orders if {"poker_polls", "poker_rounds"} <= set(order)]
    assert both, f"the admission locks the poll and the round: {lock_orders}"
    for order in both:
        assert order.index("poker_polls") < order.index("poker_rounds"), lock_orders


def _poll_first(lock_orders: list[list[str]]) -> list[list[str]]:
    """The transactions that locked both, each checked to have locked the poll first."""
    both = [order for order in lock_orders if {"poker_polls", "poker_rounds"} <= set(order)]
    for order in both:
        assert order.index("poker_polls") < order.index("poker_rounds"), lock_orders
    return both


async def test_votes_a_revote_and_a_decision_lock_the_poll_before_the_round(slack, lock_orders):
    await revote_then_accept(slack)  # 3 votes, a re-vote, 3 votes, a decision
    assert len(_poll_first(lock_orders)) >= 8, lock_orders


async def test_a_reveal_a_late_vote_and_decisions_lock_the_poll_before_the_round(
    slack, lock_orders
):
    await reveal_then_accept(slack)  # votes, a reveal, a late vote, decisions
    assert len(_poll_first(lock_orders)) >= 6, lock_orders
