"""Due work: reminders, timers and deadlines kept as database rows and run once.

Rows survive restarts. A worker claims due rows with a lease, runs their handler and marks
them done; a worker that dies mid-run loses its lease and another takes the row over. The
handlers are written to be idempotent (a reminder checks its per-day record first), so a
takeover never doubles what users see. APScheduler calls `run_due` every second in the
server; tests and the sandbox call it after moving their clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from storage.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Due:
    """A claimed piece of work, detached from the database session."""

    key: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    attempts: int
    now: datetime

    @property
    def late(self) -> timedelta:
        return self.now - self.due_at


Handler = Callable[[Due], Awaitable[str | None]]


class JobRunner:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        worker: str | None = None,
        lease: timedelta = timedelta(minutes=2),
        concurrency: int = 20,
        batch: int = 500,
    ) -> None:
        self.db = db
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = lease
        self.batch = batch
        self._handlers: dict[str, Handler] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._running = asyncio.Lock()

    def handle(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def run_due(self) -> int:
        """Runs everything due now; returns how many jobs ran. Never runs two sweeps at once."""
        ran = 0
        async with self._running:
            while True:
                now = self.clock.now()
                async with self.db.transaction() as store:
                    jobs = await store.claim_due(now, self.worker, self.lease, self.batch)
                    claimed = [
                        (
                            job.id,
                            Due(
                                job.key, job.kind, job.due_at, dict(job.payload), job.attempts, now
                            ),
                        )
                        for job in jobs
                    ]
                if not claimed:
                    return ran
                await asyncio.gather(*(self._run(job_id, due) for job_id, due in claimed))
                ran += len(claimed)  # and look again: a job may have made another one due

    async def _run(self, job_id: int, due: Due) -> None:
        handler = self._handlers.get(due.kind)
        async with self._slots:
            try:
                if handler is None:
                    raise LookupError(f"no handler for {due.kind!r} jobs")
                outcome = await handler(due)
            except Exception as error:
                log.exception("job %s failed (attempt %s)", due.key, due.attempts)
                await self._failed(job_id, due, error)
                return
        async with self.db.transaction() as store:
            await store.finish(job_id, self.clock.now(), outcome)

    async def _failed(self, job_id: int, due: Due, error: Exception) -> None:
        outcome = f"failed: {type(error).__name__}: {error}"[:500]
        async with self.db.transaction() as store:
            if due.attempts >= MAX_ATTEMPTS:
                await store.finish(job_id, self.clock.now(), outcome)
            else:  # back off: 10 s, 40 s, 90 s, 160 s
                retry_at = self.clock.now() + timedelta(seconds=10 * due.attempts**2)
                await store.retry_later(job_id, retry_at, outcome)
