"""Alembic migrations build exactly the models' schema, and go down and up again with data,
on SQLite and on PostgreSQL (`empty_database_url` runs each test on both when configured)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import TextClause, text

from storage.db import Database, alembic_config, head_revision
from storage.models import Base

ROOT = Path(__file__).parents[2]
A_TEAM = text(
    "INSERT INTO teams (workspace_id, channel_id, sprint_weeks, working_days, "
    "next_number, created_at) VALUES ('T1', 'C1', 2, 'mon', 1, '2026-01-01')"
)
"""A team row as every revision since the first can hold it: the first row, id 1."""


async def upgraded(url: str, revision: str, *rows: TextClause) -> Database:
    """An empty database migrated to `revision`, given `rows` there, then migrated to the head:
    what the migrations since `revision` make of data they find."""
    db = Database(url)
    await db.migrate(revision)
    async with db.engine.begin() as conn:
        for row in rows:
            await conn.execute(row)
    await db.migrate()
    return db


async def test_migrations_match_the_models(empty_database_url):
    db = Database(empty_database_url)
    await db.migrate()
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    await db.dispose()
    assert diff == [], "models changed without a migration: write one (see README)"


async def test_downgrade_to_base_and_upgrade_keeps_working_with_rows(empty_database_url):
    db = await upgraded(empty_database_url, "0001", A_TEAM)
    async with db.transaction() as store:
        team = await store.team("T1", "C1")
        assert team is not None and team.dor == {} and team.graveyard_days == 90
    await db.downgrade("base")
    async with db.engine.connect() as conn:
        left = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
    assert set(left) <= {"alembic_version"}, "downgrade to base leaves no table behind"
    await db.migrate()
    async with db.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    await db.dispose()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_head_read_from_the_files_is_alembics():
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_a_schema_at_the_head_is_left_alone_and_one_behind_is_migrated(
    empty_database_url, monkeypatch
):
    """A restart on an up-to-date schema reads the stored revision and stops there: Alembic
    is neither run nor loaded. One revision behind, it migrates as before."""
    db = Database(empty_database_url)
    assert await db.stored_revisions() is None, "a new database has no alembic_version"
    await db.migrate()
    assert await db.stored_revisions() == [head_revision()]
    ran: list[str] = []
    alembic = Database._alembic

    async def spy(self: Database, action: str, revision: str) -> None:
        ran.append(f"{action} {revision}")
        await alembic(self, action, revision)

    monkeypatch.setattr(Database, "_alembic", spy)
    await db.migrate()
    assert ran == [], "nothing to do: Alembic is not run"
    scripts = ScriptDirectory.from_config(alembic_config())
    previous = scripts.get_revision(head_revision()).down_revision
    await db.downgrade(previous)
    ran.clear()
    await db.migrate()
    assert ran == ["upgrade head"]
    assert await db.stored_revisions() == [head_revision()]
    await db.dispose()


def test_starting_the_server_loads_no_alembic(tmp_path):
    """Alembic (a third of a second of imports) is loaded only to migrate."""
    check = "import sys, bot.process.cli, bot.process.server; print('alembic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
