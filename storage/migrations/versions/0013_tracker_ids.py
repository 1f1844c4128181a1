"""tracker ids: an issue's own id up to 64 characters (Linear's are UUIDs, 36)"""

from storage.migrations import schema

revision: str = "0013"
down_revision: str | None = "0012"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Resized("tracker_links", "issue_id", 64, was=32),)


upgrade, downgrade = schema.reversible(changes)
