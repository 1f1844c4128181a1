"""Due work: reminders, timers and deadlines kept as database rows and run once.

Rows survive restarts. A worker claims due rows with a lease, runs their handler and marks
them done. Several instances may share the database: a claim takes rows no other claim holds
(`FOR UPDATE SKIP LOCKED` on PostgreSQL), and while a handler runs its worker renews the
lease, so a slow job is never taken over by another instance while it still runs. Only a
worker that stops renewing (a crashed process) loses its rows, once the lease has run out;
the handlers are written so that such a takeover neither loses nor doubles what users see (a
reminder checks its per-day record, a timer its meeting's marks, and posts a crash may have
cut short are settled by `handlers.outbox`). Every claim has its own token, so a run whose
row was rescheduled or taken over meanwhile cannot mark the new work done. APScheduler calls
`run_due` every second in the server (`ticker`); tests and the sandbox call it after moving
their clock.

The log says what happened, not that time passed: one INFO line per job that ran (its key,
kind, lateness and outcome); a sweep with nothing due writes nothing, and APScheduler's own
per-tick lines are kept to warnings.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.runtime.clock import Clock
from bot.runtime.liveness import SWEEP_JOB
from bot.runtime.logs import quiet_ticks
from storage.db import Database
from storage.models import Job

if TYPE_CHECKING:  # APScheduler is loaded when the ticker is made, after the first answer
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Due(Job):
    """A claimed piece of work, detached from the database session."""

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
    ) -> None:
        self.db = db
        self.clock = clock
        # Fits claimed_by (64) with the claim counter: "host:pid:n".
        self.worker = worker or f"{socket.gethostname()[:36]}:{os.getpid()}"
        self.lease = lease
        self.concurrency = concurrency
        self._handlers: dict[str, Handler] = {}
        self._running = asyncio.Lock()
        self._claims = 0
        self._inflight: dict[int, str] = {}  # job id -> claim token, while its handler runs
        self._closed = False

    def handle(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def run_due(self) -> int:
        """Runs everything due now; returns how many jobs ran. Never runs two sweeps at once.

        A pool of `concurrency` jobs: it claims only as many as it can start at once and
        claims again as they end, so other instances take the rest of a large fan-out
        instead of waiting for this one.
        """
        ran = 0
        running: set[asyncio.Task[None]] = set()
        async with self._running:
            if self._closed:
                return 0
            stop = asyncio.Event()
            renewing = asyncio.create_task(self._keep_leases(stop))
            try:
                while True:
                    free = 0 if self._closed else self.concurrency - len(running)
                    claimed = await self._claim(free)
                    for job_id, claim, due in claimed:
                        self._inflight[job_id] = claim
                        running.add(asyncio.create_task(self._run(job_id, claim, due)))
                    ran += len(claimed)
                    if not running:
                        return ran
                    # Look again once a job ends: there is a free slot, and the job may have
                    # made another one due.
                    _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if running:  # cancelled (shutdown): the leases run out and others take over
                    for task in running:
                        task.cancel()
                    await asyncio.gather(*running, return_exceptions=True)
                stop.set()
                await renewing

    async def close(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Claims nothing more and waits for the running jobs to finish (shutdown); jobs still
        running after `timeout` are cancelled and their leases left to run out."""
        self._closed = True
        try:
            await asyncio.wait_for(self._running.acquire(), timeout)
        except TimeoutError:
            log.warning("jobs still running at shutdown: left to another instance")
            return
        self._running.release()

    async def _claim(self, slots: int) -> list[tuple[int, str, Due]]:
        if slots <= 0:
            return []
        now = self.clock.now()
        self._claims += 1
        claim = f"{self.worker}:{self._claims}"
        async with self.db.transaction() as store:
            jobs = await store.claim_due(now, claim, self.lease, slots)
            return [
                (
                    job.id,
                    claim,
                    Due(job.kind, job.key, job.due_at, dict(job.payload), job.attempts, now),
                )
                for job in jobs
            ]

    async def renew_leases(self) -> int:
        """Extends the lease of every job this worker is running; how many still held."""
        by_claim: dict[str, list[int]] = {}
        for job_id, claim in self._inflight.items():
            by_claim.setdefault(claim, []).append(job_id)
        held = 0
        until = self.clock.now() + self.lease
        async with self.db.transaction() as store:
            for claim, job_ids in by_claim.items():
                held += await store.renew(job_ids, claim, until)
        return held

    async def _keep_leases(self, done: asyncio.Event) -> None:
        """Renews the running jobs' leases every quarter lease (real time) until `done`."""
        interval = max(self.lease.total_seconds() / 4, 0.05)
        while True:
            try:
                await asyncio.wait_for(done.wait(), interval)
                return
            except TimeoutError:
                pass
            try:
                await self.renew_leases()
            except Exception:  # the database is away: the next renewal tries again
                log.warning("could not renew job leases", exc_info=True)

    async def _run(self, job_id: int, claim: str, due: Due) -> None:
        handler = self._handlers.get(due.kind)
        try:
            try:
                if handler is None:
                    raise LookupError(f"no handler for {due.kind!r} jobs")
                outcome = await handler(due)
            except Exception as error:
                log.exception("job %s failed (attempt %s)", due.key, due.attempts)
                await self._failed(job_id, claim, due, error)
                return
            async with self.db.transaction() as store:
                if not await store.finish(job_id, claim, self.clock.now(), outcome):
                    log.info("job %s ran, but was rescheduled or taken over meanwhile", due.key)
                    return
            log.info(
                "ran %s job %s (due %s, %s late): %s",
                due.kind,
                due.key,
                due.due_at.isoformat(timespec="seconds"),
                _late(due.late),
                outcome or "done",
            )
        finally:
            self._inflight.pop(job_id, None)

    async def _failed(self, job_id: int, claim: str, due: Due, error: Exception) -> None:
        outcome = f"failed: {type(error).__name__}: {error}"[:500]
        async with self.db.transaction() as store:
            if due.attempts >= MAX_ATTEMPTS:
                await store.finish(job_id, claim, self.clock.now(), outcome)
            else:  # back off: 10 s, 40 s, 90 s, 160 s
                retry_at = self.clock.now() + timedelta(seconds=10 * due.attempts**2)
                await store.retry_later(job_id, claim, retry_at, outcome)


def _late(late: timedelta) -> str:
    """How late a job ran, to the second: 0s, 2s, 3h05m01s."""
    seconds = max(int(late.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{seconds:02d}s"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def ticker(sweep: Callable[[], Awaitable[Any]], every: float = 1.0) -> AsyncIOScheduler:
    """The server's scheduler: `sweep` (JobRunner.run_due) every `every` seconds, one at a
    time, missed ticks merged into one. Not started. Its per-tick INFO lines are silenced."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    quiet_ticks()
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        sweep,
        IntervalTrigger(seconds=every),
        id=SWEEP_JOB,
        max_instances=1,
        coalesce=True,
    )
    return scheduler
