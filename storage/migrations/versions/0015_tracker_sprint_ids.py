"""tracker sprint ids: a tracker's sprint id up to 64 characters (a Linear cycle's is a UUID,
36; a GitHub iteration's a node id)"""

from storage.migrations import schema

revision: str = "0015"
down_revision: str | None = "0014"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Resized("tracker_sprints", "remote_id", 64, was=32),)


upgrade, downgrade = schema.reversible(changes)
