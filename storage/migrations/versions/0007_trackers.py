"""trackers: a channel's connection to a Jira board, its items' links, its sprints there

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracker_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("board_name", sa.String(length=200), nullable=False),
        sa.Column("jql", sa.Text(), nullable=False),
        sa.Column("credential_kind", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("estimation_field", sa.String(length=64), nullable=True),
        sa.Column("acceptance_field", sa.String(length=64), nullable=True),
        sa.Column("board", sa.JSON(), nullable=False),
        sa.Column("webhook_token", sa.String(length=64), nullable=False),
        sa.Column("webhook_secret", sa.Text(), nullable=False),
        sa.Column("watermark", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("connected_by", sa.String(length=32), nullable=False),
        sa.Column("connected_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_tracker_connections_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_connections")),
        sa.UniqueConstraint("team_id", name=op.f("uq_tracker_connections_team_id")),
        sa.UniqueConstraint("webhook_token", name=op.f("uq_tracker_connections_webhook_token")),
    )

    op.create_table(
        "tracker_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("remote_updated", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("remote", sa.JSON(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("synced_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["tracker_connections.id"],
            name=op.f("fk_tracker_links_connection_id_tracker_connections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["backlog_items.id"],
            name=op.f("fk_tracker_links_item_id_backlog_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_tracker_links_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_links")),
        sa.UniqueConstraint("item_id", name=op.f("uq_tracker_links_item_id")),
        sa.UniqueConstraint("team_id", "key", name="uq_tracker_links_key"),
    )
    with op.batch_alter_table("tracker_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracker_links_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tracker_links_connection_id"), ["connection_id"], unique=False
        )

    op.create_table(
        "tracker_sprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("synced_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["tracker_connections.id"],
            name=op.f("fk_tracker_sprints_connection_id_tracker_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprints.id"],
            name=op.f("fk_tracker_sprints_sprint_id_sprints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_sprints")),
        sa.UniqueConstraint("sprint_id", name=op.f("uq_tracker_sprints_sprint_id")),
    )
    with op.batch_alter_table("tracker_sprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_sprints_connection_id"), ["connection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tracker_sprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_sprints_connection_id"))
    op.drop_table("tracker_sprints")
    with op.batch_alter_table("tracker_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_links_connection_id"))
        batch_op.drop_index(batch_op.f("ix_tracker_links_team_id"))
    op.drop_table("tracker_links")
    op.drop_table("tracker_connections")
