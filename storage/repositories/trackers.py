"""A channel's tracker connection, its items' links to issues, and its sprints in the tracker.

Every look-up is inside a team or a connection: a key (PROJ-123) names an issue of one team's
board only. Pending-write counters change with one UPDATE each (`pending = pending + n`), so
two transactions never lose one another's count.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import (
    BacklogItem,
    ItemEvent,
    ScheduledJob,
    Sprint,
    TrackerConnection,
    TrackerLink,
    TrackerSprintLink,
)
from storage.repositories.base import Repository

_Row = TypeVar("_Row", TrackerConnection, TrackerLink, TrackerSprintLink)
T = TypeVar("T")


class TrackerQueries(Repository):
    """Tracker connections, links and sprints."""

    async def _added(self, row: _Row) -> _Row:
        """``row`` stored, with its id."""
        self.session.add(row)
        await self.session.flush()
        return row

    # -- connections ---------------------------------------------------------------------

    async def connection(self, team_id: int) -> TrackerConnection | None:
        """The team's connection, if it has one."""
        return await self.session.scalar(
            select(TrackerConnection).where(TrackerConnection.team_id == team_id)
        )

    async def connection_by_id(self, connection_id: int) -> TrackerConnection | None:
        return await self.session.get(TrackerConnection, connection_id)

    async def connection_on_board(self, board_key: str) -> TrackerConnection | None:
        """The connection to the board `board_key` names (``TrackerConnection.board_key``)."""
        return await self.session.scalar(
            select(TrackerConnection).where(TrackerConnection.board_key == board_key)
        )

    async def lock_connection(self, connection_id: int) -> None:
        """Until the transaction ends, nothing else changes this connection's links: the sync
        applying issues and a write recording its answer take turns across instances, so an
        issue a create just made is never linked twice (a row lock on PostgreSQL; SQLite
        serialises writers anyway)."""
        await self._locked(TrackerConnection.id, connection_id)

    async def locked_status(self, connection_id: int) -> str | None:
        """The connection's status as stored now (not as this session loaded it earlier), its
        row locked until the transaction ends: of two runs that see a break begin or end, the
        second reads what the first wrote (None: the connection is gone)."""
        return await self._locked(TrackerConnection.status, connection_id)

    async def locked_secret(self, connection_id: int) -> str | None:
        """The connection's credential (encrypted) as stored now, not as this session loaded
        it earlier, its row locked until the transaction ends: a run that failed sees a
        renewal committed meanwhile, and one to come waits (None: the connection is gone)."""
        return await self._locked(TrackerConnection.secret, connection_id)

    async def _locked(self, column: InstrumentedAttribute[T], connection_id: int) -> T | None:
        """`column` of the connection as stored now, its row locked (FOR UPDATE)."""
        return await self.session.scalar(
            select(column).where(TrackerConnection.id == connection_id).with_for_update()
        )

    async def connection_by_token(self, token: str) -> TrackerConnection | None:
        """The connection a webhook URL names (its token is random and unique)."""
        return await self.session.scalar(
            select(TrackerConnection).where(TrackerConnection.webhook_token == token)
        )

    async def add_connection(self, connection: TrackerConnection) -> TrackerConnection | None:
        """`connection` stored; None when another connection has its board (the unique
        `board_key` refused it: a transaction of another instance may have connected it
        since this one looked). The caller's transaction goes on; what it did is its own."""
        try:
            async with self.session.begin_nested():
                return await self._added(connection)
        except IntegrityError as refused:
            if "board_key" not in str(refused.orig):
                raise
            return None

    async def remove_connection(self, connection: TrackerConnection) -> int:
        """Ends a connection: its items stay, unlinked (their keys kept, so connecting again
        matches them); its sprints' links, its pending work and the links of items whose issue
        was never created go. How many items had an issue."""
        await self.session.execute(
            delete(TrackerLink).where(
                TrackerLink.connection_id == connection.id, TrackerLink.key.is_(None)
            )
        )
        result = await self.session.execute(
            update(TrackerLink)
            .where(TrackerLink.connection_id == connection.id)
            .values(connection_id=None, pending=0, error=None)
        )
        await self.session.execute(
            delete(TrackerLink).where(
                TrackerLink.team_id == connection.team_id, TrackerLink.key.is_(None)
            )
        )
        for kind in ("tracker_write", "tracker_import", "tracker_sync"):
            await self.session.execute(
                delete(ScheduledJob).where(
                    ScheduledJob.key.startswith(f"{kind}:{connection.id}.", autoescape=True),
                    ScheduledJob.done_at.is_(None),
                )
            )
        await self.session.delete(connection)
        await self.session.flush()
        return result.rowcount or 0

    async def hurry_jobs(self, prefixes: Sequence[str], now: datetime) -> int:
        """Work waiting for a later time whose key starts with one of `prefixes` (a
        connection's retries, an hour apart while its credential was refused) made due `now`;
        how many rows. Only rows not due yet move: a row a run holds was due when it was
        claimed, so it is left to that run, which finishes or reschedules it (taking it over
        would let two runs send one write at once)."""
        result = await self.session.execute(
            update(ScheduledJob)
            .where(
                or_(*(ScheduledJob.key.startswith(p, autoescape=True) for p in prefixes)),
                ScheduledJob.done_at.is_(None),
                ScheduledJob.due_at > now,
            )
            .values(due_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

    @asynccontextmanager
    async def issue_attempt(self) -> AsyncIterator[None]:
        """A savepoint: what applying one issue did is undone alone when it fails, and the
        page's transaction goes on with the other issues."""
        async with self.session.begin_nested():
            yield

    # -- links ---------------------------------------------------------------------------

    async def links_by_keys(self, team_id: int, keys: Sequence[str]) -> dict[str, TrackerLink]:
        if not keys:
            return {}
        result = await self.session.scalars(
            select(TrackerLink).where(TrackerLink.team_id == team_id, TrackerLink.key.in_(keys))
        )
        return {link.key: link for link in result.all() if link.key}

    async def links_by_issue_ids(
        self, team_id: int, issue_ids: Sequence[str]
    ) -> dict[str, TrackerLink]:
        """Links by the tracker's own issue id, which a move to another project (a new key)
        keeps."""
        wanted = [i for i in issue_ids if i]
        if not wanted:
            return {}
        result = await self.session.scalars(
            select(TrackerLink).where(
                TrackerLink.team_id == team_id, TrackerLink.issue_id.in_(wanted)
            )
        )
        return {link.issue_id: link for link in result.all() if link.issue_id}

    async def link_of_item(self, item_id: int) -> TrackerLink | None:
        return await self.session.scalar(select(TrackerLink).where(TrackerLink.item_id == item_id))

    async def unkeyed_links(self, team_id: int, connection_id: int) -> Sequence[TrackerLink]:
        """Items added in Slack whose issue Jira has not confirmed yet (a create pending)."""
        result = await self.session.scalars(
            select(TrackerLink).where(
                TrackerLink.team_id == team_id,
                TrackerLink.connection_id == connection_id,
                TrackerLink.key.is_(None),
            )
        )
        return result.all()

    async def add_link(self, link: TrackerLink) -> TrackerLink:
        return await self._added(link)

    async def add_links(self, links: Sequence[TrackerLink]) -> None:
        """An import's links stored at once."""
        self.session.add_all(links)
        await self.session.flush()

    async def count_links(self, connection_id: int) -> tuple[int, int, int]:
        """(linked items: those with an issue, writes pending, items whose last write failed)
        of a connection."""
        row = (
            await self.session.execute(
                select(
                    func.count(TrackerLink.key),
                    func.coalesce(func.sum(TrackerLink.pending), 0),
                    func.count(TrackerLink.error),
                ).where(TrackerLink.connection_id == connection_id)
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])

    async def failing_links(self, connection_id: int, limit: int) -> Sequence[tuple[int, str, int]]:
        """(item number, error, writes pending) of the first `limit` items, by number, whose
        last write to the connection's tracker failed."""
        rows = await self.session.execute(
            select(BacklogItem.number, TrackerLink.error, TrackerLink.pending)
            .join(BacklogItem, BacklogItem.id == TrackerLink.item_id)
            .where(TrackerLink.connection_id == connection_id, TrackerLink.error.is_not(None))
            .order_by(BacklogItem.number)
            .limit(limit)
        )
        return [(int(n), str(error), int(pending)) for n, error, pending in rows]

    async def change_pending(self, link_id: int, by: int, error: str | None = None) -> None:
        """Counts a write to the tracker in (`by` 1) or out (-1); `error`: why the last try
        failed (None clears it once nothing is pending)."""
        values: dict[str, object] = {
            "pending": func.max(TrackerLink.pending + by, 0)
            if self.session.bind.dialect.name == "sqlite"
            else func.greatest(TrackerLink.pending + by, 0)
        }
        if error is not None:
            values["error"] = error
        await self.session.execute(
            update(TrackerLink).where(TrackerLink.id == link_id).values(**values)
        )
        if error is None:
            await self.session.execute(
                update(TrackerLink)
                .where(TrackerLink.id == link_id, TrackerLink.pending == 0)
                .values(error=None)
            )

    async def set_link_error(self, link_id: int, error: str) -> None:
        await self.session.execute(
            update(TrackerLink).where(TrackerLink.id == link_id).values(error=error)
        )

    async def backlog_keys(self, team_id: int, connection_id: int) -> list[tuple[int, str | None]]:
        """(item id, key or None) of every item on the team's backlog, in backlog order: the
        key only for items linked through this connection."""
        return [
            (item_id, key) for item_id, key, _ in await self.backlog_ranks(team_id, connection_id)
        ]

    async def backlog_ranks(
        self, team_id: int, connection_id: int
    ) -> list[tuple[int, str | None, float]]:
        """(item id, key or None, rank) of every item on the team's backlog, in backlog order:
        what the board's order is laid over."""
        linked = and_(
            TrackerLink.item_id == BacklogItem.id, TrackerLink.connection_id == connection_id
        )
        result = await self.session.execute(
            select(BacklogItem.id, TrackerLink.key, BacklogItem.rank)
            .outerjoin(TrackerLink, linked)
            .where(
                BacklogItem.team_id == team_id,
                BacklogItem.archived_at.is_(None),
                BacklogItem.status.not_in(("done", "sprint")),
            )
            .order_by(BacklogItem.rank, BacklogItem.number)
        )
        return [(item_id, key, float(rank)) for item_id, key, rank in result.all()]

    async def linked_open(self, team_id: int, connection_id: int) -> dict[str, int]:
        """Key -> item id of the connection's linked items that are neither done nor archived
        (on the backlog or in a sprint): each should be on the board while it is open."""
        result = await self.session.execute(
            select(TrackerLink.key, BacklogItem.id)
            .join(BacklogItem, BacklogItem.id == TrackerLink.item_id)
            .where(
                TrackerLink.team_id == team_id,
                TrackerLink.connection_id == connection_id,
                TrackerLink.key.is_not(None),
                BacklogItem.archived_at.is_(None),
                BacklogItem.status != "done",
            )
        )
        return {key: item_id for key, item_id in result.all() if key}

    async def done_keys(self, team_id: int, keys: Sequence[str]) -> set[str]:
        """Which of `keys` name items of the team that are done."""
        if not keys:
            return set()
        result = await self.session.scalars(
            select(TrackerLink.key)
            .join(BacklogItem, BacklogItem.id == TrackerLink.item_id)
            .where(
                TrackerLink.team_id == team_id,
                TrackerLink.key.in_(keys),
                BacklogItem.status == "done",
            )
        )
        return {key for key in result.all() if key}

    async def gone_links(self, team_id: int) -> Sequence[TrackerLink]:
        """The team's links whose issue left the board (deleted, or moved off it: unlinked
        with its key kept, ``tracker_writes.unlink``), not linked again since."""
        result = await self.session.scalars(
            select(TrackerLink).where(
                TrackerLink.team_id == team_id,
                TrackerLink.connection_id.is_(None),
                TrackerLink.key.is_not(None),
            )
        )
        return [
            link
            for link in result.all()
            if (link.remote or {}).get("gone") or (link.remote or {}).get("moved_to")
        ]

    # -- items, as the sync reads them ---------------------------------------------------

    async def item_by_id(self, team_id: int, item_id: int) -> BacklogItem | None:
        return await self.session.scalar(
            select(BacklogItem).where(BacklogItem.id == item_id, BacklogItem.team_id == team_id)
        )

    async def items_by_ids(self, team_id: int, ids: Sequence[int]) -> dict[int, BacklogItem]:
        if not ids:
            return {}
        result = await self.session.scalars(
            select(BacklogItem).where(BacklogItem.team_id == team_id, BacklogItem.id.in_(ids))
        )
        return {item.id: item for item in result.all()}

    async def events_since(self, item_id: int, since: datetime | None) -> Sequence[ItemEvent]:
        query = select(ItemEvent).where(ItemEvent.item_id == item_id)
        if since is not None:
            query = query.where(ItemEvent.at > since)
        return (await self.session.scalars(query.order_by(ItemEvent.id))).all()

    async def push_unlinked_down(self, team_id: int, by: float) -> int:
        """Moves the backlog's items that no tracker issue backs below the imported ones."""
        linked = select(TrackerLink.item_id).where(
            TrackerLink.team_id == team_id, TrackerLink.key.is_not(None)
        )
        result = await self.session.execute(
            update(BacklogItem)
            .where(BacklogItem.team_id == team_id, BacklogItem.id.not_in(linked))
            .values(rank=BacklogItem.rank + by)
        )
        return result.rowcount or 0

    async def bottom_rank(self, team_id: int) -> float:
        top = await self.session.scalar(
            select(func.max(BacklogItem.rank)).where(BacklogItem.team_id == team_id)
        )
        return float(top or 0.0)

    # -- sprints -------------------------------------------------------------------------

    async def sprint_link(self, sprint_id: int) -> TrackerSprintLink | None:
        return await self.session.scalar(
            select(TrackerSprintLink).where(TrackerSprintLink.sprint_id == sprint_id)
        )

    async def sprints_linked(self, connection_id: int) -> dict[str, tuple[int, int]]:
        """The connection's sprints there, by the tracker's id: (sprint id, its number)."""
        rows = await self.session.execute(
            select(TrackerSprintLink.remote_id, Sprint.id, Sprint.number)
            .join(Sprint, Sprint.id == TrackerSprintLink.sprint_id)
            .where(TrackerSprintLink.connection_id == connection_id)
        )
        return {str(remote): (int(sprint), int(number)) for remote, sprint, number in rows}

    async def add_sprint_link(self, link: TrackerSprintLink) -> TrackerSprintLink:
        return await self._added(link)

    # -- due work of a connection --------------------------------------------------------

    async def pending_jobs(self, prefix: str) -> Sequence[ScheduledJob]:
        """Work not done yet whose key starts with `prefix`."""
        result = await self.session.scalars(
            select(ScheduledJob)
            .where(
                ScheduledJob.key.startswith(prefix, autoescape=True),
                ScheduledJob.done_at.is_(None),
            )
            .order_by(ScheduledJob.due_at)
        )
        return result.all()
