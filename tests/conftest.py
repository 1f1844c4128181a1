"""Shared fixtures: a migrated SQLite file per test, a manual clock, and the Slack harness."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.stack import LocalStack
from storage.db import Database
from storage.models import Base, Team
from storage.repositories import Store

# PostgreSQL runs instead of SQLite when this is set (a fresh database per test).
PG_URL = os.environ.get("TIMEBOX_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema built once and copied per test keeps each test's own database cheap.

    It is built from the models; tests/test_migrations.py proves the migrations build the same.
    """
    path = tmp_path_factory.mktemp("template") / "timebox.db"

    async def migrate() -> None:
        db = Database(f"sqlite:///{path}")
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
async def db(migrated_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "timebox.db"
    shutil.copy(migrated_template, path)
    database = Database(f"sqlite:///{path}")
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
    await stack.start()
    try:
        yield stack
    finally:
        await stack.stop()
    assert stack.emulator.problems == []
