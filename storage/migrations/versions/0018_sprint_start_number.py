"""sprint start number: which sprint starts on the team's sprint start, so a calendar laid
again after sprints were committed (a new length or start) numbers on from them"""

from storage.migrations import schema

revision: str = "0018"
down_revision: str | None = "0017"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Columns("teams", schema.integer("sprint_start_number", default="1")),)


upgrade, downgrade = schema.reversible(changes)
