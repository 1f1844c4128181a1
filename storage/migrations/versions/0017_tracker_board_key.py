"""tracker board key: what names the board a connection syncs (tracker, site, board, and
GitHub's repository or Linear's team), unique, so that the database itself refuses a second
channel on one board (two instances connecting it at once each saw it free)"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0017"
down_revision: str | None = "0016"

_CONNECTIONS = sa.table(
    "tracker_connections",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("site", sa.String),
    sa.column("board_id", sa.Integer),
    sa.column("account", sa.String),
    sa.column("board", sa.JSON),
    sa.column("board_key", sa.String),
)


def _board_key(kind: str, site: str, board_id: int, account: str, board: dict | None) -> str:
    """bot/usecases/tracker_connect.py `_board_identity` of a connection as it was then."""
    named: list[object] = [kind, site.rstrip("/"), board_id]
    if kind == "github":
        named.append(account.lower())
    elif kind != "jira":
        named.append(str((board or {}).get("team_id") or account.upper()))
    return hashlib.sha256(json.dumps(named).encode()).hexdigest()


def upgrade() -> None:
    schema.add_columns("tracker_connections", schema.text("board_key", 64, nullable=True))
    rows = op.get_bind().execute(
        sa.select(
            _CONNECTIONS.c.id,
            _CONNECTIONS.c.kind,
            _CONNECTIONS.c.site,
            _CONNECTIONS.c.board_id,
            _CONNECTIONS.c.account,
            _CONNECTIONS.c.board,
        ).order_by(_CONNECTIONS.c.id)
    )
    keys: dict[str, int] = {}
    for id_, *named in rows:
        # Channels on one board before the key: the oldest connection keeps it, the others
        # none (they go on as they were, and may renew their credential).
        keys.setdefault(_board_key(*named), id_)
    for key, id_ in keys.items():
        op.execute(_CONNECTIONS.update().where(_CONNECTIONS.c.id == id_).values(board_key=key))
    with op.batch_alter_table("tracker_connections", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_tracker_connections_board_key"), ["board_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("tracker_connections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tracker_connections_board_key"), type_="unique")
    schema.drop_columns("tracker_connections", "board_key")
