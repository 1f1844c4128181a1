"""Migration 0016 keeps the roles an existing poll's voters were chosen by on the poll (who may
join it later), as its note said them, and goes down again (`empty_database_url`: SQLite and
PostgreSQL when configured)."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from tests.storage.test_migrations import A_TEAM

NOTES = {
    "the channel's Developers": [],
    "the channel's Developers and the Product Owner": ["po"],
    "the channel's Developers and the Scrum Master": ["sm"],
    "the channel's Developers and the Product Owner and the Scrum Master": ["po", "sm"],
    "the people the facilitator named": None,
    "the members of @devs": None,
}


async def test_polls_made_before_keep_the_roles_their_voters_were_chosen_by(empty_database_url):
    db = Database(empty_database_url)
    await db.migrate("0015")
    async with db.engine.begin() as conn:
        await conn.execute(A_TEAM)  # id 1
        for n, note in enumerate(NOTES, start=1):
            await conn.execute(
                text(
                    "INSERT INTO poker_polls (id, team_id, mode, status, facilitator, items, "
                    "deck, voters, voters_note, nudges, created_at) VALUES (:id, 1, 'async', "
                    "'open', 'S', '[1]', '{}', '[\"D1\"]', :note, '[]', '2026-01-01')"
                ),
                {"id": n, "note": note},
            )
    await db.migrate()
    async with db.transaction() as store:
        kept = {note: (await store.poll(n)).roles_asked for n, note in enumerate(NOTES, start=1)}
    assert kept == NOTES
    await db.downgrade("0015")
    async with db.engine.connect() as conn:
        count = (await conn.execute(text("SELECT COUNT(*) FROM poker_polls"))).scalar()
    await db.migrate()
    await db.dispose()
    assert count == len(NOTES)
