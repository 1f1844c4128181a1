"""role groups: a Slack user group can hold a Scrum role, with its members as last read

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handle", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("members", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A user group's role goes with its columns: only people held roles before.
    op.execute(sa.text("DELETE FROM role_assignments WHERE members IS NOT NULL"))
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_column("members")
        batch_op.drop_column("handle")
