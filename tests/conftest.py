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
from storage.db import Database
from storage.models import Team
from storage.repositories import Store

# PostgreSQL runs instead of SQLite when this is set (a fresh database per test).
PG_URL = os.environ.get("TIMEBOX_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating once and copying the file keeps each test's own database cheap."""
    path = tmp_path_factory.mktemp("template") / "timebox.db"

    async def migrate() -> None:
        db = Database(f"sqlite:///{path}")
        await db.migrate()
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
