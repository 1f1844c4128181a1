"""reminder due at: when each readiness reminder was due, so that after a change of the team's
time zone the day it counts for is found in the new zone (its date is the old zone's); none
for reminders sent before (their date decides, as it did)"""

from storage.migrations import schema

revision: str = "0022"
down_revision: str | None = "0021"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Columns("reminders", schema.utc("due_at", nullable=True)),)


upgrade, downgrade = schema.reversible(changes)
