"""Poker locks a poll's row before its rounds' in every transaction that locks both (a vote
admitted once Slack says its voter joined the channel, the poll settling who left, the
reminders): two transactions taking them in opposite orders could deadlock on PostgreSQL.
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


def _locked_table(statement: str) -> str | None:
    """The poker table a statement locks rows of (FOR UPDATE), if any."""
    if "FOR UPDATE" not in statement:
        return None
    of = statement.split("FOR UPDATE", 1)[1]
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
