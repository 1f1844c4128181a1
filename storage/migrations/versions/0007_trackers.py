"""trackers: a channel's connection to a Jira board, its items' links, its sprints there

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracker_connections",
        schema.id_column(),
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
        schema.utc("watermark", nullable=True),
        sa.Column("imported", sa.Integer(), nullable=False),
        schema.utc("last_sync_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("connected_by", sa.String(length=32), nullable=False),
        schema.utc("connected_at", nullable=False),
        schema.refers("tracker_connections", "team_id", "teams"),
        schema.primary_key("tracker_connections"),
        sa.UniqueConstraint("team_id", name=op.f("uq_tracker_connections_team_id")),
        sa.UniqueConstraint("webhook_token", name=op.f("uq_tracker_connections_webhook_token")),
    )

    op.create_table(
        "tracker_links",
        schema.id_column(),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        schema.utc("remote_updated", nullable=True),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("remote", sa.JSON(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        schema.utc("synced_at", nullable=True),
        schema.refers("tracker_links", "connection_id", "tracker_connections", "SET NULL"),
        schema.refers("tracker_links", "item_id", "backlog_items"),
        schema.refers("tracker_links", "team_id", "teams"),
        schema.primary_key("tracker_links"),
        sa.UniqueConstraint("item_id", name=op.f("uq_tracker_links_item_id")),
        sa.UniqueConstraint("team_id", "key", name="uq_tracker_links_key"),
    )
    schema.create_index("tracker_links", "team_id")
    schema.create_index("tracker_links", "connection_id")

    op.create_table(
        "tracker_sprints",
        schema.id_column(),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        schema.utc("synced_at", nullable=False),
        schema.refers("tracker_sprints", "connection_id", "tracker_connections"),
        schema.refers("tracker_sprints", "sprint_id", "sprints"),
        schema.primary_key("tracker_sprints"),
        sa.UniqueConstraint("sprint_id", name=op.f("uq_tracker_sprints_sprint_id")),
    )
    schema.create_index("tracker_sprints", "connection_id")


def downgrade() -> None:
    schema.drop_indexed_table("tracker_sprints", "connection_id")
    with op.batch_alter_table("tracker_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_links_connection_id"))
    schema.drop_indexed_table("tracker_links", "team_id")
    op.drop_table("tracker_connections")
