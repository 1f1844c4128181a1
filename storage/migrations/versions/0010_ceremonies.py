"""ceremonies: a team's recurring refinement and planning, and its calendar (reminder lead,
the feed's secret as a hash)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ceremonies",
        schema.id_column(),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.String(length=3), nullable=True),
        sa.Column("at", sa.String(length=5), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("auto_start", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        schema.utc("updated_at", nullable=False),
        schema.refers("ceremonies", "team_id", "teams"),
        schema.primary_key("ceremonies"),
        sa.UniqueConstraint("team_id", "kind", name="uq_ceremonies_kind"),
    )
    op.create_table(
        "team_calendars",
        schema.id_column(),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("feed_hash", sa.String(length=64), nullable=True),
        schema.utc("feed_rotated_at", nullable=True),
        sa.Column("feed_rotated_by", sa.String(length=32), nullable=True),
        schema.refers("team_calendars", "team_id", "teams"),
        schema.primary_key("team_calendars"),
        sa.UniqueConstraint("team_id", name=op.f("uq_team_calendars_team_id")),
        sa.UniqueConstraint("feed_hash", name=op.f("uq_team_calendars_feed_hash")),
    )


def downgrade() -> None:
    op.drop_table("team_calendars")
    op.drop_table("ceremonies")
