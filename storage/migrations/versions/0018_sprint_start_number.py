"""sprint start number: which sprint starts on the team's sprint start, so a calendar laid
again after sprints were committed (a new length or start) numbers on from them"""

from storage.migrations import schema

revision: str = "0018"
down_revision: str | None = "0017"


def upgrade() -> None:
    schema.add_columns("teams", schema.integer("sprint_start_number", default="1"))


def downgrade() -> None:
    schema.drop_columns("teams", "sprint_start_number")
