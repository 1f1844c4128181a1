"""trackers: a channel's connection to a Jira board, its items' links, its sprints there"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    schema.create_table(
        "tracker_connections",
        schema.text("kind", 16),
        schema.text("site", 255),
        schema.integer("board_id"),
        schema.text("board_name", 200),
        schema.prose("jql"),
        schema.text("credential_kind", 16),
        schema.text("account", 255),
        schema.prose("secret"),
        schema.text("estimation_field", 64, nullable=True),
        schema.text("acceptance_field", 64, nullable=True),
        schema.json("board"),
        schema.text("webhook_token", 64),
        schema.prose("webhook_secret"),
        schema.utc("watermark", nullable=True),
        schema.integer("imported"),
        schema.utc("last_sync_at", nullable=True),
        schema.prose("last_error", nullable=True),
        schema.text("status", 16),
        schema.text("connected_by", 32),
        schema.utc("connected_at"),
        sa.UniqueConstraint("team_id", name=op.f("uq_tracker_connections_team_id")),
        sa.UniqueConstraint("webhook_token", name=op.f("uq_tracker_connections_webhook_token")),
        owner=("team_id", "teams"),
    )

    schema.create_table(
        "tracker_links",
        schema.integer("item_id"),
        schema.integer("connection_id", nullable=True),
        schema.text("key", 64, nullable=True),
        schema.text("issue_id", 32),
        schema.text("url", 500),
        schema.utc("remote_updated", nullable=True),
        schema.json("base"),
        schema.json("remote"),
        schema.integer("pending"),
        schema.prose("error", nullable=True),
        schema.utc("synced_at", nullable=True),
        schema.refers("tracker_links", "connection_id", "tracker_connections", "SET NULL"),
        schema.refers("tracker_links", "item_id", "backlog_items"),
        sa.UniqueConstraint("item_id", name=op.f("uq_tracker_links_item_id")),
        sa.UniqueConstraint("team_id", "key", name="uq_tracker_links_key"),
        owner=("team_id", "teams"),
        indexed=True,
    )
    schema.create_index("tracker_links", "connection_id")

    schema.create_table(
        "tracker_sprints",
        schema.integer("sprint_id"),
        schema.text("remote_id", 32),
        schema.text("state", 12),
        schema.utc("synced_at"),
        schema.refers("tracker_sprints", "sprint_id", "sprints"),
        sa.UniqueConstraint("sprint_id", name=op.f("uq_tracker_sprints_sprint_id")),
        owner=("connection_id", "tracker_connections"),
        indexed=True,
    )


def downgrade() -> None:
    schema.drop_indexed_table("tracker_sprints", "connection_id")
    with op.batch_alter_table("tracker_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_links_connection_id"))
    schema.drop_indexed_table("tracker_links", "team_id")
    op.drop_table("tracker_connections")
