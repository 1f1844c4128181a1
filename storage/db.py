"""The engine, sessions and migrations: one `Database` per process."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.repositories import Store

if TYPE_CHECKING:  # Alembic is loaded only to migrate (about 0.3 s of imports)
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATE_LOCK = 0x74696D65626F78  # "timebox": the advisory lock key of migrations


def async_url(url: str) -> str:
    """Accepts the URLs people write (sqlite:///x.db, postgresql://...) and picks async drivers."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}.get(
        parsed.drivername, parsed.drivername
    )
    if driver == "postgres":
        driver = "postgresql+asyncpg"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _sqlite_tuning(engine: AsyncEngine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE: concurrent writers queue instead of failing.

    pysqlite's own transaction handling is switched off so that every transaction takes the
    write lock up front; a read-then-write transaction can then never lose an update.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL's recommended durability: a commit survives the process being killed (the OS
        # has it); only a power cut can undo the last commits, never corrupt the file.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _no_nul(value: Any) -> Any:
    """Parameters with NUL characters replaced (U+FFFD), in strings, lists, tuples and dicts."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _no_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_no_nul(item) for item in value)
    return value


def _text_without_nul(engine: AsyncEngine) -> None:
    """PostgreSQL's text cannot hold NUL (a shared CSV file can): every string sent to the
    database has it replaced by U+FFFD, the mark of an unreadable character, on SQLite too,
    so that both keep the same text."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute", retval=True)
    def _clean(
        _conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> tuple[str, Any]:
        return statement, _no_nul(parameters)


class WriteTurns:
    """SQLite's writers, one at a time, in this process's order rather than SQLite's.

    SQLite lets one writer in; its busy handler makes the others nap and poll (naps of up to
    100 ms), so a burst of transactions finishes in no fair order and some wait far longer than
    the work ahead of them. Within one process they queue here instead, and an urgent one (a
    write that someone's ack waits for) goes before the others. Other processes on the same
    file still meet SQLite's busy handler.
    """

    def __init__(self) -> None:
        self._busy = False
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @asynccontextmanager
    async def turn(self, urgent: bool = False) -> AsyncIterator[None]:
        if self._busy:
            handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._queue, (0 if urgent else 1, next(self._order), handed))
            try:
                await handed
            except asyncio.CancelledError:
                if handed.done() and not handed.cancelled():  # the turn came: pass it on
                    self._next()
                raise
        else:
            self._busy = True
        try:
            yield
        finally:
            self._next()

    def _next(self) -> None:
        while self._queue:
            _, _, handed = heapq.heappop(self._queue)
            if not handed.done():
                handed.set_result(None)
                return
        self._busy = False


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _sqlite_tuning(self.engine)
        _text_without_nul(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turns = WriteTurns() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[Store]:
        """One unit of work: committed when the block ends, rolled back if it raises.
        `urgent`: an ack waits for it (on SQLite it goes before other waiting writers)."""
        turn = self._turns.turn(urgent) if self._turns else contextlib.nullcontext()
        async with turn, self._sessions() as session, session.begin():
            yield Store(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Store]:
        """A read of what is committed, in no write turn and under no lock: for a look that
        must not wait behind the writers (its changes are never committed)."""
        async with self._sessions() as session:
            yield Store(session)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def migrate(self, revision: str = "head") -> None:
        """Applies Alembic migrations up to `revision` on this database.

        To the head, the stored revision is read first (one query): a schema already there,
        the usual restart, costs neither loading Alembic nor taking the migration lock."""
        if revision == "head":
            head, stored = head_revision(), await self.stored_revisions()
            if head is not None and stored == [head]:
                return
            behind = ", ".join(stored) if stored else "no schema"
            log.info("migrating the database from %s to %s", behind, head or "the head")
        await self._alembic("upgrade", revision)

    async def stored_revisions(self) -> list[str] | None:
        """The revisions in the database's alembic_version table; None without the table."""
        try:
            async with self.engine.connect() as conn:
                rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
                return sorted(rows.scalars())
        except SQLAlchemyError:  # no such table (a new database); anything else, Alembic says
            return None

    async def downgrade(self, revision: str) -> None:
        await self._alembic("downgrade", revision)

    async def _alembic(self, action: str, revision: str) -> None:
        """Runs Alembic in one transaction. Instances starting together take turns on
        PostgreSQL (an advisory lock held until commit): the first migrates, the others then
        find the schema up to date. SQLite's BEGIN IMMEDIATE serialises them already.

        On SQLite, foreign keys are off while it runs: a column dropped or a constraint added
        there copies the table into a new one and drops the old, which would delete every row
        that refers to it (ON DELETE CASCADE). SQLite reads the switch only outside a
        transaction, so it is set on the driver's connection, before the BEGIN."""
        async with self.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            if self.is_sqlite:
                await driver.execute("PRAGMA foreign_keys=OFF")
            try:
                async with conn.begin():
                    if not self.is_sqlite:
                        lock = text("SELECT pg_advisory_xact_lock(:key)")
                        await conn.execute(lock, {"key": MIGRATE_LOCK})
                    await conn.run_sync(_run_alembic, action, revision)
            finally:
                if self.is_sqlite:
                    await driver.execute("PRAGMA foreign_keys=ON")

    async def dispose(self) -> None:
        await self.engine.dispose()


# `revision: str = "0009"` and `down_revision: str | None = "0008"` (or None) in each file
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]\s*$", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\b[^=\n]*=\s*(?:None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE)


@functools.cache
def head_revision() -> str | None:
    """The newest revision in storage/migrations/versions, read from the files' `revision`
    and `down_revision` lines without loading Alembic; None if that is not plain (a file
    without both lines, a merge, branches), and then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[!_]*.py"):  # as Alembic: not __init__.py
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0]:
            parents.add(down[0])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _run_alembic(connection: Connection, action: str, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(connection)
    getattr(command, action)(cfg, revision)
