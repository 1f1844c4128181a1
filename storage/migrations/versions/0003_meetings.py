"""meetings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:50:32.600831
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        schema.id_column(),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("open_for", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("facilitator", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("section", sa.Integer(), nullable=False),
        schema.utc("section_started_at", nullable=False),
        schema.utc("section_ends_at", nullable=False),
        schema.utc("paused_at", nullable=True),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.Column("timed_out", sa.Boolean(), nullable=False),
        sa.Column("auto_advance", sa.Boolean(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        schema.utc("started_at", nullable=False),
        schema.utc("ended_at", nullable=True),
        sa.Column("minutes", sa.JSON(), nullable=True),
        schema.refers("meetings", "team_id", "teams"),
        schema.primary_key("meetings"),
        sa.UniqueConstraint("open_for", name=op.f("uq_meetings_open_for")),
    )
    schema.create_index("meetings", "team_id")

    op.create_table(
        "action_items",
        schema.id_column(),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        schema.utc("at", nullable=False),
        schema.refers("action_items", "meeting_id", "meetings"),
        schema.primary_key("action_items"),
    )
    schema.create_index("action_items", "meeting_id")

    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agendas", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("agendas")

    schema.drop_indexed_table("action_items", "meeting_id")
    schema.drop_indexed_table("meetings", "team_id")
