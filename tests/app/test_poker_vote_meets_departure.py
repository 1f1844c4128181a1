"""A vote that waits for the poll settling who left (``depart``, in another transaction) is
counted against the poll as that left it: when it is the last vote of the voters still in the
channel, it reveals the round at once, not at the deadline. PostgreSQL only: SQLite takes
transactions in turn, so a vote never reads a poll another transaction is changing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.emulator.stack import LocalStack
from bot.usecases import poker as usecase
from tests.app.test_poker_slack import poker, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, PO, SM

WAITING = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def waiting_for_a_lock(slack: LocalStack) -> None:
    """Until a statement of this database waits for a row lock: bounded, no clock involved."""
    for _ in range(400):
        async with slack.db.engine.connect() as conn:
            if (await conn.execute(WAITING)).scalar():
                return
        await asyncio.sleep(0.01)
    pytest.fail("no statement ever waited for the lock")


async def test_the_last_vote_waiting_on_a_departure_reveals_the_round(slack: LocalStack):
    if slack.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes transactions in turn")
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")
    await vote(slack, DEV1, "3")
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        [poll] = await store.open_polls(team.id)
        [round_] = await store.rounds(poll.id)
    last = usecase.Vote("last-vote", "T0TEAM", CHANNEL, DEV2, round_.id, "5")

    async with slack.db.transaction() as store:  # Dmitri has left: the poll settles it
        locked = await store.poll(poll.id, lock=True)
        assert locked is not None
        assert await usecase.depart(store, locked, [DEV1, DEV2, PO, SM], now) == []
        counting = asyncio.create_task(usecase.cast(slack.services, last))
        await waiting_for_a_lock(slack)  # Devon's vote waits for the settling to commit

    counted = await counting
    assert counted is not None and counted.cast.revealed, "the last vote of those left"
    async with slack.db.transaction() as store:
        revealed = await store.poker_round(round_.id)
        assert revealed is not None and revealed.reveal_reason == "all voted"
