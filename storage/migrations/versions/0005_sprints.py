"""sprints

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:12:20.905839
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sprints",
        schema.id_column(),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("one_thing", sa.Text(), nullable=False),
        sa.Column("focus_factor", sa.Float(), nullable=False),
        sa.Column("hours_per_day", sa.Float(), nullable=False),
        sa.Column("first_forecast", sa.Float(), nullable=True),
        sa.Column("days_off", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.JSON(), nullable=True),
        sa.Column("committed_points", sa.Float(), nullable=True),
        sa.Column("completed_points", sa.Float(), nullable=True),
        sa.Column("committed_by", sa.JSON(), nullable=False),
        schema.utc("committed_at", nullable=True),
        sa.Column("review_answer", sa.Text(), nullable=True),
        schema.utc("closed_at", nullable=True),
        schema.refers("sprints", "team_id", "teams"),
        schema.primary_key("sprints"),
        sa.UniqueConstraint("team_id", "number", name="uq_sprints_number"),
    )
    schema.create_index("sprints", "team_id")

    op.create_table(
        "scope_changes",
        schema.id_column(),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        schema.utc("at", nullable=False),
        schema.refers("scope_changes", "sprint_id", "sprints"),
        schema.primary_key("scope_changes"),
    )
    schema.create_index("scope_changes", "sprint_id")

    op.create_table(
        "sprint_items",
        schema.id_column(),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("supports_goal", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        schema.utc("done_at", nullable=True),
        schema.utc("added_at", nullable=False),
        schema.refers("sprint_items", "item_id", "backlog_items"),
        schema.refers("sprint_items", "sprint_id", "sprints"),
        schema.primary_key("sprint_items"),
        sa.UniqueConstraint("sprint_id", "item_id", name="uq_sprint_items_item"),
    )
    schema.create_index("sprint_items", "sprint_id")

    op.create_table(
        "sprint_tasks",
        schema.id_column(),
        sa.Column("sprint_item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        schema.refers("sprint_tasks", "sprint_item_id", "sprint_items"),
        schema.primary_key("sprint_tasks"),
    )
    schema.create_index("sprint_tasks", "sprint_item_id")


def downgrade() -> None:
    schema.drop_indexed_table("sprint_tasks", "sprint_item_id")
    schema.drop_indexed_table("sprint_items", "sprint_id")
    schema.drop_indexed_table("scope_changes", "sprint_id")
    schema.drop_indexed_table("sprints", "team_id")
