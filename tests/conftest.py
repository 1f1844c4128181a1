"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when configured), a
manual clock, and the Slack harness."""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import threading
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.emulator.slack_records import ApiCall, Message
from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from bot.usecases.team import ROLES_CHANGED
from storage import scratch
from storage.db import Database
from storage.models import Base, Team
from storage.repositories import Store

# A PostgreSQL server (any database on it) where the user may create databases: every test
# that touches the database then runs on SQLite and on PostgreSQL, in a database made for
# this run and dropped after it. The README's test command sets it.
PG_URL = os.environ.get("TIMEBOX_TEST_DATABASE_URL", "").strip() or None
BACKENDS = ["sqlite", "postgresql"]
POSTGRES_FIXTURES = {"postgres_server", "postgres_database", "fresh_postgres"}
NO_POSTGRES = pytest.StashKey[tuple[str, int]]()

T = TypeVar("T")


def run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine to the end on its own loop: session fixtures are set up from inside
    a test's running loop, where asyncio.run() is not allowed."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as error:
            result["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


async def _probe(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.connect():
            pass
    finally:
        await db.dispose()


def _why_no_postgres() -> str | None:
    """Why this run cannot use PostgreSQL, or None when it can."""
    if PG_URL is None:
        return "TIMEBOX_TEST_DATABASE_URL is not set (the README's test command sets it)"
    try:
        asyncio.run(asyncio.wait_for(_probe(PG_URL), 10))
    except Exception as error:  # refused, unknown host, bad password, timeout...
        detail = " ".join(f"{type(error).__name__}: {error}".split())
        return f"{PG_URL} did not answer ({detail})"
    return None


def _needs_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    backend = "postgresql" in (callspec.params.values() if callspec else ())
    return backend or bool(POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL server, its half of the suite is left out and said so once."""
    wanted = [item for item in items if _needs_postgres(item)]
    if not wanted:
        return
    reason = _why_no_postgres()
    if reason is None:
        return
    config.hook.pytest_deselected(items=wanted)
    items[:] = [item for item in items if not _needs_postgres(item)]
    config.stash[NO_POSTGRES] = (reason, len(wanted))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if NO_POSTGRES in config.stash:
        reason, count = config.stash[NO_POSTGRES]
        terminalreporter.write_line(f"PostgreSQL NOT TESTED ({count} tests left out): {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server's URL (tests that need it are left out when there is none)."""
    assert PG_URL is not None
    return PG_URL


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """This run's own database with the schema built once; dropped at the end of the run."""

    async def create() -> str:
        url = await scratch.create_database(postgres_server)
        db = Database(url)
        await scratch.create_schema(db)
        await db.dispose()
        return url

    url = run_in_thread(create())
    yield url
    run_in_thread(scratch.drop_database(url, postgres_server))


@pytest.fixture
def fresh_postgres(postgres_server: str) -> Iterator[str]:
    """An empty database of its own (for migrations and real processes), dropped after."""
    url = run_in_thread(scratch.create_database(postgres_server))
    yield url
    run_in_thread(scratch.drop_database(url, postgres_server))


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, no schema: a new SQLite file, or a new PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema built once and copied per test keeps each test's own database cheap.

    It is built from the models; tests/storage/test_migrations.py proves the migrations build
    the same.
    """
    path = tmp_path_factory.mktemp("template") / "timebox.db"

    async def migrate() -> None:
        db = Database(f"sqlite:///{path}")
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=BACKENDS)
async def db(
    request: pytest.FixtureRequest, migrated_template: Path, tmp_path: Path
) -> AsyncIterator[Database]:
    """An empty, migrated database: a copied SQLite file, or this run's PostgreSQL database
    emptied (every test starts from ids 1, as on SQLite)."""
    if request.param == "sqlite":
        path = tmp_path / "timebox.db"
        shutil.copy(migrated_template, path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("postgres_database"))
        await scratch.empty(database)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def store(db: Database) -> AsyncIterator[Store]:
    """One open transaction for domain tests; committed at the end."""
    async with db.transaction() as store:
        yield store


@pytest.fixture
async def team(store: Store, clock: ManualClock) -> Team:
    return await store.ensure_team("T0TEAM", "C0TEAM", clock.now())


# -- the Slack harness -------------------------------------------------------------------------

CHANNEL = "C0TEAM"
PO, SM, DEV1, DEV2, DEV3 = "U0PAULA", "U0SAM", "U0DIANA", "U0DEV", "U0DMITRI"
PEOPLE = {
    PO: ("paula", "Paula Product", "Europe/Berlin"),
    SM: ("sam", "Sam Scrum", "America/New_York"),
    DEV1: ("diana", "Diana Dev", "Asia/Kolkata"),
    DEV2: ("devon", "Devon Dev", "Europe/London"),
    DEV3: ("dmitri", "Dmitri Dev", "Australia/Sydney"),
}


@pytest.fixture
async def slack(db: Database, clock: ManualClock) -> AsyncIterator[LocalStack]:
    """The real app in HTTP mode against the Slack emulator, with a team channel of five.

    After the test, every payload the bot sent must have been valid Block Kit within limits.
    """
    stack = LocalStack(db, clock)
    for user, (name, real_name, tz) in PEOPLE.items():
        stack.emulator.add_user(user, name, real_name=real_name, tz=tz)
    stack.emulator.add_channel(CHANNEL, "team-a", members=[*PEOPLE, "UBOT"])
    async with running(stack):
        yield stack


async def roles(slack: LocalStack, channel: str = CHANNEL) -> None:
    """Paula becomes the channel's Product Owner, then names Sam its Scrum Master: the
    channel's Developers are everyone else. The channel is told of each change (two posts
    `roles_told` knows, which a test about something else leaves out with `beside_roles`)."""
    for text in (f"roles po <@{PO}|paula>", f"roles sm <@{SM}|sam>"):
        ack = await slack.driver.command("/timebox", text, user=PO, channel=channel)
        assert ack.status == 200


Post = TypeVar("Post", Message, ApiCall)


def roles_told(post: Message | ApiCall) -> bool:
    """Whether a bot post (a message, or the chat.postMessage call that made it) tells the
    channel of a change of its roles, by the outbox key in its metadata (`roles_told` in
    bot/usecases/team.py; the outbox's keys start with `post:`)."""
    metadata = post.metadata if isinstance(post, Message) else post.args.get("metadata")
    key = str(((metadata or {}).get("event_payload") or {}).get("key") or "")
    return key.startswith(f"post:{ROLES_CHANGED}:")


def beside_roles(posts: Iterable[Post]) -> list[Post]:
    """`posts` but those telling a change of roles (`roles_told`): what a test about something
    else looks at, its setup's roles (`roles`, `/timebox roles`) being told in the channel."""
    return [p for p in posts if not roles_told(p)]


@pytest.fixture
def release_held(slack: LocalStack) -> Iterator[None]:
    """After the test, the emulator lets go of the posts it still holds (see `delay_next`)."""
    yield
    slack.emulator.release_held()


@asynccontextmanager
async def running(stack: LocalStack) -> AsyncIterator[LocalStack]:
    """The stack started, and stopped after. Every payload the bot sent must then have been
    valid Block Kit within limits.

    The garbage collector is off while it runs: a full pass over pytest's heap (every test
    module, earlier tests' leftovers; `timebox run` freezes what start-up built instead,
    bot/process/server.py) stopped the loop the app and the driver share for 1-2 s on a busy
    machine and counted in the ack it fell into. What the test left is collected once the
    collector is back on, between tests (tests/app/test_acks_collector_pause.py)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        await stack.start()
        try:
            yield stack
        finally:
            await stack.stop()
    finally:
        if collecting:
            gc.enable()
    assert stack.emulator.problems == []
