"""Migration 0019: a team whose reminder days were its working days (the column's default,
or typed alike) follows its working days from now on; days typed otherwise are kept; and it
goes down again (`empty_database_url`: SQLite and PostgreSQL when configured)."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from tests.storage.test_migrations import upgraded

TEAMS = text(
    "INSERT INTO teams (id, workspace_id, channel_id, sprint_weeks, working_days, next_number, "
    "created_at, remind_days) VALUES "
    "(1, 'T1', 'C1', 2, 'mon,tue,wed,thu,fri', 1, '2026-01-01', 'mon,tue,wed,thu,fri'), "
    "(2, 'T1', 'C2', 2, 'sun,mon,tue,wed,thu', 1, '2026-01-01', 'mon,tue,wed,thu,fri'), "
    "(3, 'T1', 'C3', 2, 'mon,tue,wed,thu,fri', 1, '2026-01-01', 'mon,wed')"
)


async def days(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT remind_days FROM teams ORDER BY id"))
        return list(rows.scalars())


async def test_reminder_days_equal_to_the_working_days_follow_them(empty_database_url):
    db = await upgraded(empty_database_url, "0018", TEAMS)
    up = await days(db)
    await db.downgrade("0018")
    down = await days(db)
    await db.dispose()
    assert up == ["", "mon,tue,wed,thu,fri", "mon,wed"]
    assert down == ["mon,tue,wed,thu,fri", "mon,tue,wed,thu,fri", "mon,wed"]
