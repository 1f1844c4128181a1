"""sprints

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:12:20.905839
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sprints",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.Column("committed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_answer", sa.Text(), nullable=True),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sprints_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sprints")),
        sa.UniqueConstraint("team_id", "number", name="uq_sprints_number"),
    )
    with op.batch_alter_table("sprints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sprints_team_id"), ["team_id"], unique=False)

    op.create_table(
        "scope_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprints.id"],
            name=op.f("fk_scope_changes_sprint_id_sprints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scope_changes")),
    )
    with op.batch_alter_table("scope_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scope_changes_sprint_id"), ["sprint_id"], unique=False)

    op.create_table(
        "sprint_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("supports_goal", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("done_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("added_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["backlog_items.id"],
            name=op.f("fk_sprint_items_item_id_backlog_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprints.id"],
            name=op.f("fk_sprint_items_sprint_id_sprints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sprint_items")),
        sa.UniqueConstraint("sprint_id", "item_id", name="uq_sprint_items_item"),
    )
    with op.batch_alter_table("sprint_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sprint_items_sprint_id"), ["sprint_id"], unique=False)

    op.create_table(
        "sprint_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sprint_item_id"],
            ["sprint_items.id"],
            name=op.f("fk_sprint_tasks_sprint_item_id_sprint_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sprint_tasks")),
    )
    with op.batch_alter_table("sprint_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sprint_tasks_sprint_item_id"), ["sprint_item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sprint_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sprint_tasks_sprint_item_id"))

    op.drop_table("sprint_tasks")
    with op.batch_alter_table("sprint_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sprint_items_sprint_id"))

    op.drop_table("sprint_items")
    with op.batch_alter_table("scope_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scope_changes_sprint_id"))

    op.drop_table("scope_changes")
    with op.batch_alter_table("sprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sprints_team_id"))

    op.drop_table("sprints")
