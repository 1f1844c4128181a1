"""A tracker connection's `board_key` is unique: the database refuses a second channel's
connection to one board (`add_connection` answers None, the first is kept), and migration 0017
gives existing connections the key `connect` computes, the oldest of two channels on one board
keeping it (`empty_database_url`: SQLite and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.usecases.tracker_connect import _board_identity, _board_of
from storage.db import Database
from storage.models import TrackerConnection
from tests.storage.test_migrations import A_TEAM

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def connection(team_id: int, token: str, **values: object) -> TrackerConnection:
    jira = {"kind": "jira", "site": "https://acme.atlassian.net", "board_id": 1, "jql": ""}
    row = TrackerConnection(
        team_id=team_id,
        account="paula@example.com",
        secret="x",
        board={},
        webhook_token=token,
        webhook_secret="x",
        connected_by="U1",
        connected_at=NOW,
        **(jira | values),
    )
    row.board_key = _board_identity(_board_of(row))
    return row


async def test_the_database_refuses_a_second_channels_connection_to_one_board(
    empty_database_url,
):
    db = Database(empty_database_url)
    await db.migrate()
    async with db.transaction() as store:
        first = await store.ensure_team("T1", "C1", NOW)
        other = await store.ensure_team("T1", "C2", NOW)
        assert await store.add_connection(connection(first.id, "one")) is not None
    async with db.transaction() as store:
        another_filter = connection(other.id, "two", jql="project = TB")
        assert await store.add_connection(another_filter) is None, "the board is taken"
        kept = await store.connection_on_board(another_filter.board_key or "")
        assert kept is not None and kept.team_id == first.id
        assert await store.connection(other.id) is None
        elsewhere = connection(other.id, "three", site="https://other.atlassian.net")
        assert await store.add_connection(elsewhere) is not None, "another site's board 1"
    await db.dispose()


async def test_migration_0017_keys_existing_connections_and_the_oldest_keeps_a_shared_board(
    empty_database_url,
):
    db = Database(empty_database_url)
    await db.migrate("0016")
    rows = [  # team, kind, site, board, account, snapshot
        (1, "jira", "https://acme.atlassian.net/", 1, "paula@example.com", "{}"),
        (2, "jira", "https://acme.atlassian.net", 1, "sam@example.com", "{}"),  # the same board
        (3, "github", "https://api.github.com", 0, "Acme/Shop", '{"repo": "Acme/Shop"}'),
        (4, "linear", "https://api.linear.app/graphql", 0, "ENG", '{"team_id": "t-1"}'),
    ]
    async with db.engine.begin() as conn:
        for n, (team, kind, site, board_id, account, board) in enumerate(rows, start=1):
            await conn.execute(A_TEAM if team == 1 else text(_team(team)))
            await conn.execute(
                text(
                    "INSERT INTO tracker_connections (id, team_id, kind, site, board_id, "
                    "board_name, jql, credential_kind, account, secret, board, webhook_token, "
                    "webhook_secret, imported, status, connected_by, connected_at) VALUES "
                    "(:id, :team, :kind, :site, :board_id, '', '', 'api_token', :account, 'x', "
                    ":board, :token, 'x', 0, 'connected', 'U1', '2026-01-01')"
                ),
                {"id": n, "team": team, "kind": kind, "site": site, "board_id": board_id}
                | {"account": account, "board": board, "token": f"token-{n}"},
            )
    await db.migrate()
    async with db.transaction() as store:
        kept = [await store.connection_by_id(n) for n in range(1, len(rows) + 1)]
    assert all(c is not None for c in kept)
    keys = [c.board_key for c in kept if c is not None]
    assert keys[1] is None, "the second channel on the first's board keeps no key"
    assert [k for n, k in enumerate(keys) if n != 1] == [
        _board_identity(_board_of(c)) for n, c in enumerate(kept) if n != 1 and c is not None
    ]
    await db.downgrade("0016")
    await db.migrate()
    await db.dispose()


def _team(n: int) -> str:
    return A_TEAM.text.replace("'C1'", f"'C{n}'")
