"""tracker ids: an issue's own id up to 64 characters (Linear's are UUIDs, 36)"""

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"


def upgrade() -> None:
    with op.batch_alter_table("tracker_links") as batch:
        batch.alter_column(
            "issue_id",
            existing_type=sa.String(length=32),
            type_=sa.String(length=64),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("tracker_links") as batch:
        batch.alter_column(
            "issue_id",
            existing_type=sa.String(length=64),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
