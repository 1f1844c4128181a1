"""scheduled jobs and readiness

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:40:19.005676
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        schema.id_column(),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        schema.utc("due_at", nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        schema.utc("claimed_until", nullable=True),
        schema.utc("done_at", nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        schema.primary_key("scheduled_jobs"),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_jobs_key")),
    )
    schema.create_index("scheduled_jobs", "due_at")

    op.create_table(
        "reminders",
        schema.id_column(),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        schema.utc("sent_at", nullable=False),
        sa.Column("unready", sa.Integer(), nullable=False),
        schema.refers("reminders", "team_id", "teams"),
        schema.primary_key("reminders"),
        sa.UniqueConstraint("team_id", "day", name="uq_reminders_team_day"),
    )
    with op.batch_alter_table("backlog_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checklist", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("snoozed_until", sa.Date(), nullable=True))

    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sprint_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("holiday_country", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("dor", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("remind_at", sa.String(length=5), nullable=True))
        batch_op.add_column(
            sa.Column(
                "remind_days",
                sa.String(length=40),
                nullable=False,
                server_default="mon,tue,wed,thu,fri",
            )
        )
        batch_op.add_column(
            sa.Column("graveyard_days", sa.Integer(), nullable=False, server_default="90")
        )


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("graveyard_days")
        batch_op.drop_column("remind_days")
        batch_op.drop_column("remind_at")
        batch_op.drop_column("dor")
        batch_op.drop_column("holiday_country")
        batch_op.drop_column("sprint_start")

    with op.batch_alter_table("backlog_items", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("checklist")

    op.drop_table("reminders")
    schema.drop_indexed_table("scheduled_jobs", "due_at")
