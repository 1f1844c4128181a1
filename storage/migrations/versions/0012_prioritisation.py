"""prioritisation: a team's scoring scheme (WSJF, opportunity, off) and each item's inputs"""

from storage.migrations import schema

revision: str = "0012"
down_revision: str | None = "0011"


def changes() -> tuple[schema.Step, ...]:
    return (
        schema.Columns("teams", schema.text("priority_scheme", 16, nullable=True)),
        schema.Columns("backlog_items", schema.json("scores", default="{}")),
    )


upgrade, downgrade = schema.reversible(changes)
