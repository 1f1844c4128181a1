"""ceremonies: a team's recurring refinement and planning, and its calendar (reminder lead,
the feed's secret as a hash)
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0010"
down_revision: str | None = "0009"


def upgrade() -> None:
    schema.create_table(
        "ceremonies",
        schema.text("kind", 16),
        schema.text("weekday", 3, nullable=True),
        schema.text("at", 5),
        schema.integer("every_weeks"),
        schema.integer("minutes"),
        schema.flag("auto_start"),
        schema.day("starts_on"),
        schema.json("changes"),
        schema.text("created_by", 32),
        schema.utc("updated_at"),
        sa.UniqueConstraint("team_id", "kind", name="uq_ceremonies_kind"),
        owner=("team_id", "teams"),
    )
    schema.create_table(
        "team_calendars",
        schema.integer("lead_minutes"),
        schema.text("feed_hash", 64, nullable=True),
        schema.utc("feed_rotated_at", nullable=True),
        schema.text("feed_rotated_by", 32, nullable=True),
        sa.UniqueConstraint("team_id", name=op.f("uq_team_calendars_team_id")),
        sa.UniqueConstraint("feed_hash", name=op.f("uq_team_calendars_feed_hash")),
        owner=("team_id", "teams"),
    )


def downgrade() -> None:
    op.drop_table("team_calendars")
    op.drop_table("ceremonies")
