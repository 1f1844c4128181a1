"""A migration that rebuilds a table keeps the rows that refer to it. On SQLite a dropped
column (or an added constraint) copies the table and drops the old one; with foreign keys on,
that deleted every row pointing at it by ON DELETE CASCADE: going down past a teams column
emptied the backlog. Runs on SQLite and PostgreSQL (`empty_database_url`)."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from tests.storage.test_migrations import A_TEAM

AN_ITEM = text(
    "INSERT INTO backlog_items (team_id, number, title, hypothesis, type, acceptance_criteria, "
    "dependencies, labels, status, rank, created_by, created_at, updated_at) VALUES (1, 1, "
    "'Export invoices', '', 'story', '[]', '[]', '[]', 'new', 1.0, 'U1', '2026-01-01', "
    "'2026-01-01')"
)


async def items(db: Database) -> int:
    async with db.engine.connect() as conn:
        return (await conn.execute(text("SELECT COUNT(*) FROM backlog_items"))).scalar_one()


async def test_going_down_past_a_teams_column_keeps_the_backlog(empty_database_url):
    db = Database(empty_database_url)
    await db.migrate()
    async with db.engine.begin() as conn:
        await conn.execute(A_TEAM)  # id 1
        await conn.execute(AN_ITEM)
    await db.downgrade("0010")  # drops teams' refinement_share, priority_scheme, ...
    down = await items(db)
    await db.migrate()
    up = await items(db)
    await db.dispose()
    assert (down, up) == (1, 1)
