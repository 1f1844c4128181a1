"""prioritisation: a team's scoring scheme (WSJF, opportunity, off) and each item's inputs"""

from storage.migrations import schema

revision: str = "0012"
down_revision: str | None = "0011"


def upgrade() -> None:
    schema.add_columns("teams", schema.text("priority_scheme", 16, nullable=True))
    schema.add_columns("backlog_items", schema.json("scores", default="{}"))


def downgrade() -> None:
    schema.drop_columns("backlog_items", "scores")
    schema.drop_columns("teams", "priority_scheme")
