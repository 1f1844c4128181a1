"""Group commit: many small writes made before their acks, in as few transactions as possible.

A request that must be on disk before Slack gets its ack (a vote) cannot afford a transaction
of its own in a burst: a hundred clicks would queue a hundred commits in front of the last
ack. Items handed over while a commit is in progress wait for it and then go together in the
next one, so a burst costs a handful of commits whatever its size.

`Batch` is the general form: its `write_each` gets every item waiting (of one group, when
items are grouped) in one transaction and answers each with its outcome, or with the
exception that item's caller gets (a refusal); the others' work is committed all the same.
`GroupCommit` adds rows with a unique "key" and tells each caller whether its key was new.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from storage.db import Database
from storage.repositories import Store

T = TypeVar("T")
R = TypeVar("R")

# Inserts rows carrying a unique "key", skipping keys already there; returns the keys added.
Write = Callable[[Store, list[dict[str, Any]]], Awaitable[set[str]]]
# Writes items in the caller's transaction; one outcome per item, in order (an exception
# given as an outcome is raised to that item's caller, and the transaction still commits).
WriteEach = Callable[[Store, list[T]], Awaitable[Sequence[R | BaseException]]]


class Batch(Generic[T, R]):
    """Writes items for callers that are many at a time; each waits for its own commit.

    `group`: items of different groups never share a transaction (say, votes of different
    rounds, so that a transaction locks one round only, as a single vote would)."""

    def __init__(
        self,
        db: Database,
        write_each: WriteEach[T, R],
        *,
        urgent: bool = False,
        group: Callable[[T], Hashable] | None = None,
    ) -> None:
        self.db = db
        self.write_each = write_each
        self.urgent = urgent  # acks wait for these writes
        self.group = group
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # how many transactions it took, for tests and benchmarks

    async def add(self, item: T) -> R:
        """The item's outcome once its transaction has committed."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                for part in self._parts(batch):
                    await self._commit(part)
        finally:
            self._writer = None

    def _parts(self, batch: list[tuple[T, asyncio.Future[R]]]) -> list[list[Any]]:
        if self.group is None:
            return [batch]
        parts: dict[Hashable, list[tuple[T, asyncio.Future[R]]]] = {}
        for entry in batch:
            parts.setdefault(self.group(entry[0]), []).append(entry)
        return list(parts.values())

    async def _commit(self, part: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            async with self.db.transaction(urgent=self.urgent) as store:
                outcomes = list(await self.write_each(store, [item for item, _ in part]))
        except Exception as error:
            outcomes = [error] * len(part)
        self.commits += 1
        for (_, done), outcome in zip(part, outcomes, strict=True):
            if done.done():  # its caller has gone (cancelled)
                continue
            if isinstance(outcome, BaseException):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)


class GroupCommit(Batch[dict[str, Any], bool]):
    """Adds keyed rows; `add` says True once the row is committed, False if its key was there
    already (a retry). Of two rows with one key in a batch, the first is added."""

    def __init__(self, db: Database, write: Write, *, urgent: bool = False) -> None:
        super().__init__(db, self._added, urgent=urgent)
        self.write = write
        self._lanes: dict[Hashable, Batch[Any, Any]] = {}

    async def _added(self, store: Store, rows: list[dict[str, Any]]) -> list[bool]:
        added = await self.write(store, rows)
        outcomes = []
        for row in rows:
            outcomes.append(row["key"] in added)
            added.discard(row["key"])
        return outcomes

    def lane(
        self, write_each: WriteEach[T, R], *, group: Callable[[T], Hashable] | None = None
    ) -> Batch[T, R]:
        """Another kind of write made before acks, on the same database with the same
        urgency, in transactions of its own: made on first use, one per `write_each`."""
        lane = self._lanes.get(write_each)
        if lane is None:
            lane = Batch(self.db, write_each, urgent=self.urgent, group=group)
            self._lanes[write_each] = lane
        return lane
