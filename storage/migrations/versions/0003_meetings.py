"""meetings"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    schema.create_table(
        "meetings",
        schema.integer("open_for", nullable=True),
        schema.text("kind", 16),
        schema.json("agenda"),
        schema.text("facilitator", 32),
        schema.text("status", 12),
        schema.integer("section"),
        schema.utc("section_started_at"),
        schema.utc("section_ends_at"),
        schema.utc("paused_at", nullable=True),
        schema.flag("warned"),
        schema.flag("timed_out"),
        schema.flag("auto_advance"),
        schema.prose("goal"),
        schema.text("message_ts", 32, nullable=True),
        schema.json("log"),
        schema.json("data"),
        schema.utc("started_at"),
        schema.utc("ended_at", nullable=True),
        schema.json("minutes", nullable=True),
        sa.UniqueConstraint("open_for", name=op.f("uq_meetings_open_for")),
        owner=("team_id", "teams"),
        indexed=True,
    )

    schema.create_table(
        "action_items",
        schema.text("text", 500),
        schema.text("owner", 32, nullable=True),
        schema.text("created_by", 32),
        schema.utc("at"),
        owner=("meeting_id", "meetings"),
        indexed=True,
    )

    schema.add_columns("teams", schema.json("agendas", default="{}"))


def downgrade() -> None:
    schema.drop_columns("teams", "agendas")

    schema.drop_indexed_table("action_items", "meeting_id")
    schema.drop_indexed_table("meetings", "team_id")
