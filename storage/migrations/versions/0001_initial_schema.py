"""initial schema"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0001"
down_revision: str | None = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        schema.text("key", 120),
        schema.utc("at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_deliveries")),
    )
    schema.create_table(
        "teams",
        schema.text("workspace_id", 32),
        schema.text("channel_id", 32),
        schema.text("timezone", 64, nullable=True),
        schema.integer("sprint_weeks"),
        schema.text("working_days", 40),
        schema.integer("next_number"),
        schema.utc("created_at"),
        sa.UniqueConstraint("workspace_id", "channel_id", name="uq_teams_channel"),
    )
    schema.create_table(
        "backlog_items",
        schema.integer("number"),
        schema.text("title", 250),
        schema.prose("hypothesis"),
        schema.text("type", 16),
        schema.json("acceptance_criteria"),
        schema.json("dependencies"),
        schema.number("estimate", nullable=True),
        schema.text("owner", 32, nullable=True),
        schema.text("epic", 120, nullable=True),
        schema.json("labels"),
        schema.text("priority", 32, nullable=True),
        schema.text("status", 16),
        schema.number("rank"),
        schema.utc("archived_at", nullable=True),
        schema.text("created_by", 32),
        schema.utc("created_at"),
        schema.utc("updated_at"),
        sa.UniqueConstraint("team_id", "number", name="uq_backlog_items_number"),
        owner=("team_id", "teams"),
    )
    with op.batch_alter_table("backlog_items", schema=None) as batch_op:
        batch_op.create_index("ix_backlog_items_order", ["team_id", "rank"], unique=False)

    schema.create_table(
        "role_assignments",
        schema.text("user_id", 32),
        schema.text("role", 8),
        sa.UniqueConstraint("team_id", "user_id", "role", name="uq_role_assignment"),
        owner=("team_id", "teams"),
    )
    schema.create_table(
        "item_events",
        schema.utc("at"),
        schema.text("actor", 32),
        schema.text("action", 24),
        schema.json("changes"),
        owner=("item_id", "backlog_items"),
        indexed=True,
    )


def downgrade() -> None:
    schema.drop_indexed_table("item_events", "item_id")
    op.drop_table("role_assignments")
    with op.batch_alter_table("backlog_items", schema=None) as batch_op:
        batch_op.drop_index("ix_backlog_items_order")

    op.drop_table("backlog_items")
    op.drop_table("teams")
    op.drop_table("deliveries")
