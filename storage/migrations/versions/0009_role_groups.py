"""role groups: a Slack user group can hold a Scrum role, with its members as last read"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0009"
down_revision: str | None = "0008"


def upgrade() -> None:
    schema.add_columns(
        "role_assignments",
        schema.text("handle", 100, nullable=True),
        schema.json("members", nullable=True),
    )


def downgrade() -> None:
    # A user group's role goes with its columns: only people held roles before.
    op.execute(sa.text("DELETE FROM role_assignments WHERE members IS NOT NULL"))
    schema.drop_columns("role_assignments", "members", "handle")
