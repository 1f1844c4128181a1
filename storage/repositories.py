"""Queries, kept in one place: the rest of Timebox asks a `Store` and never writes SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.home import HomeQueries
from storage.meetings import MeetingQueries
from storage.models import (
    BacklogItem,
    Delivery,
    ItemEvent,
    Reminder,
    RoleAssignment,
    ScheduledJob,
    Team,
)
from storage.poker import PokerQueries
from storage.sprints import SprintQueries


def _active(team_id: int) -> ColumnElement[bool]:
    """Items on the product backlog: not archived, not done, not in a committed sprint."""
    return and_(
        BacklogItem.team_id == team_id,
        BacklogItem.archived_at.is_(None),
        BacklogItem.status.not_in(("done", "sprint")),
    )


class Store(HomeQueries, MeetingQueries, PokerQueries, SprintQueries):
    """A unit of work's view of the database; one per transaction.

    Feature queries live in their own modules (storage/meetings.py, poker.py, sprints.py) as
    mixins.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _insert_ignoring_conflict(self, model: type[Any], values: dict[str, Any]) -> bool:
        """INSERT that does nothing when a unique key already exists; True if a row was added."""
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self.session.execute(insert(model).values(**values).on_conflict_do_nothing())
        return bool(result.rowcount)

    async def _insert_many_ignoring_conflict(
        self, model: type[Any], rows: list[dict[str, Any]]
    ) -> set[str]:
        """INSERTs rows keyed by their unique `key` column in one statement, skipping keys that
        exist (or come twice); the keys added."""
        if not rows:
            return set()
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        unique = list({row["key"]: row for row in reversed(rows)}.values())
        added = await self.session.scalars(
            insert(model).values(unique).on_conflict_do_nothing().returning(model.key)
        )
        return set(added)

    # -- teams and roles ---------------------------------------------------------------------

    async def team(self, workspace_id: str, channel_id: str) -> Team | None:
        return await self.session.scalar(
            select(Team).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id)
        )

    async def ensure_team(self, workspace_id: str, channel_id: str, now: datetime) -> Team:
        """The channel's team, made on first use and locked until the transaction ends.

        The lock (FOR UPDATE on PostgreSQL) serialises work on one team across instances as
        SQLite serialises all writers: a read-then-write (the first Product Owner, a meeting's
        clock, a poll) never races the same team's work on another instance.
        """
        team = await self._locked_team(
            Team.workspace_id == workspace_id, Team.channel_id == channel_id
        )
        if team is None:
            await self._insert_ignoring_conflict(
                Team,
                {
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "created_at": now,
                    "sprint_weeks": 2,
                    "working_days": "mon,tue,wed,thu,fri",
                    "next_number": 1,
                },
            )
            team = await self._locked_team(
                Team.workspace_id == workspace_id, Team.channel_id == channel_id
            )
            assert team is not None
        return team

    async def _locked_team(self, *where: ColumnElement[bool]) -> Team | None:
        query = select(Team).where(*where).with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def teams_with_member(self, workspace_id: str, user_id: str) -> Sequence[Team]:
        """Teams where the user holds a role or owns an item: what their Home tab shows."""
        owned = select(BacklogItem.team_id).where(BacklogItem.owner == user_id)
        roled = select(RoleAssignment.team_id).where(RoleAssignment.user_id == user_id)
        result = await self.session.scalars(
            select(Team)
            .where(Team.workspace_id == workspace_id, Team.id.in_(owned.union(roled)))
            .order_by(Team.id)
        )
        return result.all()

    async def set_role(self, team: Team, role: str, user_ids: Sequence[str]) -> None:
        await self.session.execute(
            delete(RoleAssignment).where(
                RoleAssignment.team_id == team.id, RoleAssignment.role == role
            )
        )
        for user_id in dict.fromkeys(user_ids):
            self.session.add(RoleAssignment(team_id=team.id, user_id=user_id, role=role))
        await self.session.flush()
        await self.session.refresh(team, ["roles"])

    async def take_number(self, team: Team) -> int:
        """The next stable item number of a team, safe under concurrent adds."""
        number = await self.session.scalar(
            update(Team)
            .where(Team.id == team.id)
            .values(next_number=Team.next_number + 1)
            .returning(Team.next_number - 1)
        )
        assert number is not None
        return number

    # -- backlog items -----------------------------------------------------------------------

    async def item(self, team_id: int, number: int) -> BacklogItem | None:
        return await self.session.scalar(
            select(BacklogItem).where(BacklogItem.team_id == team_id, BacklogItem.number == number)
        )

    async def items_by_number(self, team_id: int, numbers: Sequence[int]) -> Sequence[BacklogItem]:
        result = await self.session.scalars(
            select(BacklogItem).where(
                BacklogItem.team_id == team_id, BacklogItem.number.in_(numbers)
            )
        )
        return result.all()

    async def add_item(self, item: BacklogItem) -> BacklogItem:
        self.session.add(item)
        await self.session.flush()
        return item

    async def count_active(self, team_id: int) -> int:
        return await self.session.scalar(select(func.count()).where(_active(team_id))) or 0

    async def active_page(self, team_id: int, offset: int, limit: int) -> Sequence[BacklogItem]:
        result = await self.session.scalars(
            select(BacklogItem)
            .where(_active(team_id))
            .order_by(BacklogItem.rank, BacklogItem.number)
            .offset(offset)
            .limit(limit)
        )
        return result.all()

    async def active_order(self, team_id: int) -> list[tuple[int, float]]:
        """(number, rank) of every item on the backlog, in backlog order."""
        result = await self.session.execute(
            select(BacklogItem.number, BacklogItem.rank)
            .where(_active(team_id))
            .order_by(BacklogItem.rank, BacklogItem.number)
        )
        return [(number, rank) for number, rank in result.all()]

    async def rank_bounds(self, team_id: int) -> tuple[float | None, float | None]:
        row = (
            await self.session.execute(
                select(func.min(BacklogItem.rank), func.max(BacklogItem.rank)).where(
                    BacklogItem.team_id == team_id
                )
            )
        ).one()
        return row[0], row[1]

    async def respace_ranks(self, team_id: int, order: Sequence[int]) -> None:
        """Rewrites ranks as 1, 2, 3... in the given order of item numbers."""
        for position, number in enumerate(order, start=1):
            await self.session.execute(
                update(BacklogItem)
                .where(BacklogItem.team_id == team_id, BacklogItem.number == number)
                .values(rank=float(position))
            )

    async def all_items(self, team_id: int, *, include_closed: bool) -> Sequence[BacklogItem]:
        query = select(BacklogItem).order_by(BacklogItem.rank, BacklogItem.number)
        query = query.where(BacklogItem.team_id == team_id if include_closed else _active(team_id))
        return (await self.session.scalars(query)).all()

    # -- history -----------------------------------------------------------------------------

    def log(self, item: BacklogItem, actor: str, action: str, at: datetime, **changes: Any) -> None:
        self.session.add(
            ItemEvent(item_id=item.id, actor=actor, action=action, at=at, changes=changes)
        )

    async def history(self, item: BacklogItem, limit: int = 20) -> Sequence[ItemEvent]:
        result = await self.session.scalars(
            select(ItemEvent)
            .where(ItemEvent.item_id == item.id)
            .order_by(ItemEvent.at.desc(), ItemEvent.id.desc())
            .limit(limit)
        )
        return result.all()

    # -- deliveries --------------------------------------------------------------------------

    async def first_deliveries(self, deliveries: list[dict[str, Any]]) -> set[str]:
        """Records deliveries (key, at) in one statement; the keys seen for the first time
        (the others are retries)."""
        return await self._insert_many_ignoring_conflict(Delivery, deliveries)

    async def forget_deliveries(self, before: datetime) -> int:
        """Drops delivery keys older than `before` (Slack retries within the hour)."""
        result = await self.session.execute(delete(Delivery).where(Delivery.at < before))
        return result.rowcount or 0

    # -- scheduled work ----------------------------------------------------------------------

    async def schedule(
        self, kind: str, key: str, due_at: datetime, payload: dict[str, Any]
    ) -> None:
        """Adds due work under a unique key, or moves it if it is still pending."""
        added = await self._insert_ignoring_conflict(
            ScheduledJob,
            {"kind": kind, "key": key, "due_at": due_at, "payload": payload, "attempts": 0},
        )
        if not added:
            # New work under an old key: a run in progress loses its claim, so its finish()
            # cannot mark this as done, and the attempts start again.
            await self.session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.key == key, ScheduledJob.done_at.is_(None))
                .values(
                    due_at=due_at, payload=payload, claimed_by=None, claimed_until=None, attempts=0
                )
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

    # -- readiness reminders -----------------------------------------------------------------

    async def record_reminder(self, team: Team, day: date, now: datetime, unready: int) -> bool:
        """True the first time for this team and local day: the guard against doubles."""
        return await self._insert_ignoring_conflict(
            Reminder, {"team_id": team.id, "day": day, "sent_at": now, "unready": unready}
        )

    async def forget_reminder(self, team: Team, day: date) -> None:
        """Undoes `record_reminder` when the reminder could not be delivered, for a retry."""
        await self.session.execute(
            delete(Reminder).where(Reminder.team_id == team.id, Reminder.day == day)
        )

    async def teams_with_reminders(self) -> Sequence[Team]:
        result = await self.session.scalars(select(Team).where(Team.remind_at.is_not(None)))
        return result.all()

    async def team_by_id(self, team_id: int, *, lock: bool = False) -> Team | None:
        """A team by id; `lock` takes the team's lock as `ensure_team` does (for jobs)."""
        if lock:
            return await self._locked_team(Team.id == team_id)
        return await self.session.get(Team, team_id)
