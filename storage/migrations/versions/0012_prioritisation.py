"""prioritisation: a team's scoring scheme (WSJF, opportunity, off) and each item's inputs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("priority_scheme", sa.String(length=16), nullable=True))
    with op.batch_alter_table("backlog_items") as batch:
        batch.add_column(sa.Column("scores", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("backlog_items") as batch:
        batch.drop_column("scores")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("priority_scheme")
