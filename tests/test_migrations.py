"""Alembic migrations build exactly the models' schema, and go down and up again with data,
on SQLite and on PostgreSQL (`empty_database_url` runs each test on both when configured)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import Database, alembic_config
from storage.models import Base


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
    db = Database(empty_database_url)
    await db.migrate("0001")
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO teams (workspace_id, channel_id, sprint_weeks, working_days, "
                "next_number, created_at) VALUES ('T1', 'C1', 2, 'mon', 1, '2026-01-01')"
            )
        )
    await db.migrate()
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
