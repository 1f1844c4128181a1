"""Due work as rows claimed with leases: never fires twice, survives restarts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update

from storage.models import (
    ScheduledJob,
)
from storage.repositories.base import Repository


class JobQueries(Repository):
    """Scheduled jobs and their leases."""

    async def schedule(
        self,
        kind: str,
        key: str,
        due_at: datetime,
        payload: dict[str, Any],
        *,
        even_done: bool = False,
    ) -> None:
        """Adds due work under a unique key, or moves it if it is still pending (`even_done`:
        or done, or given up: then it is due anew, for work that may be asked for again)."""
        added = await self._insert_ignoring_conflict(
            ScheduledJob,
            {"kind": kind, "key": key, "due_at": due_at, "payload": payload, "attempts": 0},
        )
        if not added:
            # New work under an old key: a run in progress loses its claim, so its finish()
            # cannot mark this as done, and the attempts start again.
            moved = update(ScheduledJob).where(ScheduledJob.key == key)
            if not even_done:
                moved = moved.where(ScheduledJob.done_at.is_(None))
            again = {"done_at": None, "outcome": None} if even_done else {}
            await self.session.execute(
                moved.values(
                    due_at=due_at, payload=payload, claimed_by=None, claimed_until=None, attempts=0
                ).values(**again)
            )

    async def schedule_once(
        self, kind: str, key: str, due_at: datetime, payload: dict[str, Any]
    ) -> bool:
        """Adds work under a unique key unless the key exists already (pending, running or
        done): False then, and the existing row is left exactly as it is."""
        return await self._insert_ignoring_conflict(
            ScheduledJob,
            {"kind": kind, "key": key, "due_at": due_at, "payload": payload, "attempts": 0},
        )

    async def schedule_many(self, jobs: list[dict[str, Any]]) -> set[str]:
        """`schedule_once` for many rows (kind, key, due_at, payload) in one statement; the
        keys that were added."""
        rows = [{**job, "attempts": 0} for job in jobs]
        return await self._insert_many_ignoring_conflict(ScheduledJob, rows)

    async def cancel(self, key: str) -> bool:
        result = await self.session.execute(
            delete(ScheduledJob).where(ScheduledJob.key == key, ScheduledJob.done_at.is_(None))
        )
        return bool(result.rowcount)

    async def cancel_prefix(self, prefix: str, keep: str | None = None) -> int:
        """Cancels pending work whose key starts with `prefix` (e.g. one team's reminders)."""
        result = await self.session.execute(
            delete(ScheduledJob).where(
                ScheduledJob.key.startswith(prefix, autoescape=True),
                ScheduledJob.key != (keep or ""),
                ScheduledJob.done_at.is_(None),
            )
        )
        return result.rowcount or 0

    async def scheduled(self, key: str) -> ScheduledJob | None:
        return await self.session.scalar(select(ScheduledJob).where(ScheduledJob.key == key))

    async def pending(self, kind: str) -> Sequence[ScheduledJob]:
        result = await self.session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.kind == kind, ScheduledJob.done_at.is_(None))
            .order_by(ScheduledJob.due_at)
        )
        return result.all()

    async def forget_done(self, before: datetime) -> int:
        """Drops work done before `before`: kept a while for operators, then not needed."""
        result = await self.session.execute(
            delete(ScheduledJob).where(ScheduledJob.done_at < before)
        )
        return result.rowcount or 0

    async def jobs(self, kind: str | None = None) -> Sequence[ScheduledJob]:
        """Every job row (of one kind), done or not: what operators and tests look at."""
        query = select(ScheduledJob).order_by(ScheduledJob.id)
        if kind is not None:
            query = query.where(ScheduledJob.kind == kind)
        return (await self.session.scalars(query)).all()

    async def overdue(self, now: datetime) -> Sequence[ScheduledJob]:
        """Work due by `now` and not done yet (running, waiting for a retry, or unclaimed)."""
        result = await self.session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.due_at <= now, ScheduledJob.done_at.is_(None))
            .order_by(ScheduledJob.due_at)
        )
        return result.all()

    async def claim_due(
        self, now: datetime, claim: str, lease: timedelta, limit: int
    ) -> Sequence[ScheduledJob]:
        """Takes due, unclaimed (or abandoned) work under the token `claim` until `now + lease`.

        On PostgreSQL, SKIP LOCKED lets several instances claim side by side without ever
        taking the same row; SQLite serialises writers anyway.
        """
        query = (
            select(ScheduledJob)
            .where(
                ScheduledJob.done_at.is_(None),
                ScheduledJob.due_at <= now,
                or_(ScheduledJob.claimed_until.is_(None), ScheduledJob.claimed_until < now),
            )
            .order_by(ScheduledJob.due_at, ScheduledJob.id)
            .limit(limit)
        )
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = (await self.session.scalars(query)).all()
        for job in jobs:
            job.claimed_by = claim
            job.claimed_until = now + lease
            job.attempts += 1
        await self.session.flush()
        return jobs

    def _claimed(self, job_id: int, claim: str) -> ColumnElement[bool]:
        """The job is still this claim's: not rescheduled, cancelled, done or taken over."""
        return and_(
            ScheduledJob.id == job_id,
            ScheduledJob.claimed_by == claim,
            ScheduledJob.done_at.is_(None),
        )

    async def renew(self, job_ids: Sequence[int], claim: str, until: datetime) -> int:
        """Extends the lease of running work that is still this claim's; how many rows."""
        if not job_ids:
            return 0
        result = await self.session.execute(
            update(ScheduledJob)
            .where(
                ScheduledJob.id.in_(job_ids),
                ScheduledJob.claimed_by == claim,
                ScheduledJob.done_at.is_(None),
            )
            .values(claimed_until=until)
        )
        return result.rowcount or 0

    async def finish(self, job_id: int, claim: str, now: datetime, outcome: str | None) -> bool:
        """Marks claimed work done; False when the claim was lost (see `_claimed`)."""
        result = await self.session.execute(
            update(ScheduledJob)
            .where(self._claimed(job_id, claim))
            .values(done_at=now, outcome=outcome, claimed_until=None)
        )
        return bool(result.rowcount)

    async def retry_later(self, job_id: int, claim: str, due_at: datetime, outcome: str) -> bool:
        result = await self.session.execute(
            update(ScheduledJob)
            .where(self._claimed(job_id, claim))
            .values(due_at=due_at, outcome=outcome, claimed_by=None, claimed_until=None)
        )
        return bool(result.rowcount)

    async def finish_key(self, key: str, now: datetime, outcome: str) -> bool:
        """Marks pending work done by its key, whoever holds it (work done another way)."""
        result = await self.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.key == key, ScheduledJob.done_at.is_(None))
            .values(done_at=now, outcome=outcome, claimed_by=None, claimed_until=None)
        )
        return bool(result.rowcount)
