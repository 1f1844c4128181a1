"""Group commit: many small rows written before their acks, in as few transactions as possible.

A request that must be on disk before Slack gets its ack (a vote) cannot afford a transaction
of its own in a burst: a hundred clicks would queue a hundred commits in front of the last
ack. Rows handed over while a commit is in progress wait for it and then go together in the
next one, so a burst costs a handful of commits whatever its size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from storage.db import Database
from storage.repositories import Store

# Inserts rows carrying a unique "key", skipping keys already there; returns the keys added.
Write = Callable[[Store, list[dict[str, Any]]], Awaitable[set[str]]]


class GroupCommit:
    """Adds keyed rows for callers that are many at a time; each waits for its own commit."""

    def __init__(self, db: Database, write: Write, *, urgent: bool = False) -> None:
        self.db = db
        self.write = write
        self.urgent = urgent  # acks wait for these rows
        self._queue: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # how many transactions it took, for tests and benchmarks

    async def add(self, row: dict[str, Any]) -> bool:
        """True once the row is committed; False if its key was there already (a retry)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((row, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    async with self.db.transaction(urgent=self.urgent) as store:
                        added = await self.write(store, [row for row, _ in batch])
                except Exception as error:
                    outcomes: list[bool | BaseException] = [error] * len(batch)
                else:
                    outcomes = []
                    for row, _ in batch:  # of two rows with one key, the first was added
                        outcomes.append(row["key"] in added)
                        added.discard(row["key"])
                self.commits += 1
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if done.done():  # its caller has gone (cancelled)
                        continue
                    if isinstance(outcome, BaseException):
                        done.set_exception(outcome)
                    else:
                        done.set_result(outcome)
        finally:
            self._writer = None
