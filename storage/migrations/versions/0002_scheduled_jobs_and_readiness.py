"""scheduled jobs and readiness"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    schema.create_table(
        "scheduled_jobs",
        schema.text("key", 200),
        schema.text("kind", 40),
        schema.utc("due_at"),
        schema.json("payload"),
        schema.integer("attempts"),
        schema.text("claimed_by", 64, nullable=True),
        schema.utc("claimed_until", nullable=True),
        schema.utc("done_at", nullable=True),
        schema.prose("outcome", nullable=True),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_jobs_key")),
    )
    schema.create_index("scheduled_jobs", "due_at")

    schema.create_table(
        "reminders",
        schema.day("day"),
        schema.utc("sent_at"),
        schema.integer("unready"),
        sa.UniqueConstraint("team_id", "day", name="uq_reminders_team_day"),
        owner=("team_id", "teams"),
    )
    schema.add_columns(
        "backlog_items",
        schema.json("checklist", default="{}"),
        schema.day("snoozed_until", nullable=True),
    )

    schema.add_columns(
        "teams",
        schema.day("sprint_start", nullable=True),
        schema.text("holiday_country", 8, nullable=True),
        schema.json("dor", default="{}"),
        schema.text("remind_at", 5, nullable=True),
        schema.text("remind_days", 40, default="mon,tue,wed,thu,fri"),
        schema.integer("graveyard_days", default="90"),
    )


def downgrade() -> None:
    schema.drop_columns(
        "teams",
        "graveyard_days",
        "remind_days",
        "remind_at",
        "dor",
        "holiday_country",
        "sprint_start",
    )

    schema.drop_columns("backlog_items", "snoozed_until", "checklist")

    op.drop_table("reminders")
    schema.drop_indexed_table("scheduled_jobs", "due_at")
