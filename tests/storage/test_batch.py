"""Group commit and SQLite's write turns: what acks wait for is written in few transactions,
each row once, and urgent writers go first."""

from __future__ import annotations

import asyncio

import pytest

from storage.batch import GroupCommit
from storage.db import WriteTurns
from storage.repositories import Store


async def test_a_burst_of_rows_takes_a_few_commits_and_a_repeated_key_is_added_once(db, clock):
    batch = GroupCommit(db, Store.first_deliveries)
    keys = [f"trigger:{n}" for n in range(100)] + ["trigger:7"]
    added = await asyncio.gather(*(batch.add({"key": k, "at": clock.now()}) for k in keys))
    assert added.count(True) == 100 and added[-1] is False, "the repeated key: once"
    assert batch.commits <= 3, f"{batch.commits} commits for 101 rows"
    assert await batch.add({"key": "trigger:7", "at": clock.now()}) is False, "a later retry"
    async with db.transaction() as store:
        assert not await store.first_deliveries([{"key": "trigger:99", "at": clock.now()}])


async def test_a_failed_commit_fails_its_callers_and_the_next_burst_goes_on(db, clock):
    async def refuse(store: Store, rows: list[dict]) -> set[str]:
        raise RuntimeError("the database is away")

    failing = GroupCommit(db, refuse)
    with pytest.raises(RuntimeError, match="away"):
        await failing.add({"key": "a"})
    failing.write = Store.first_deliveries
    assert await failing.add({"key": "b", "at": clock.now()}) is True


async def test_urgent_writers_go_before_others_waiting_and_cancelled_ones_pass_their_turn():
    turns = WriteTurns()
    order: list[str] = []

    async def write(name: str, urgent: bool = False) -> None:
        async with turns.turn(urgent):
            order.append(name)
            await asyncio.sleep(0)

    async with turns.turn():  # someone is writing: everyone below queues
        tasks = [asyncio.create_task(write("later-1")), asyncio.create_task(write("gone"))]
        tasks.append(asyncio.create_task(write("later-2")))
        tasks.append(asyncio.create_task(write("ack", urgent=True)))
        await asyncio.sleep(0)
        tasks[1].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert order == ["ack", "later-1", "later-2"]
    async with turns.turn():  # and the turns are free again
        order.append("after")
    assert order[-1] == "after"
