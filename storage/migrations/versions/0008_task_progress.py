"""task progress: a sprint task's remaining hours, and their history for the hours burndown"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    schema.add_columns("sprint_tasks", schema.number("remaining", nullable=True))
    # What was planned is left, unless the task is done.
    op.execute(sa.text("UPDATE sprint_tasks SET remaining = CASE WHEN done THEN 0 ELSE hours END"))
    with op.batch_alter_table("sprint_tasks", schema=None) as batch_op:
        batch_op.alter_column("remaining", existing_type=sa.Float(), nullable=False)

    schema.create_table(
        "task_progress",
        schema.integer("task_id"),
        schema.utc("at"),
        schema.number("remaining"),
        owner=("sprint_id", "sprints"),
        indexed=True,
    )
    # The tasks of earlier sprints start their history where it is known: as they stand now,
    # from the commitment (or from when their item joined a sprint not committed yet).
    op.execute(
        sa.text(
            "INSERT INTO task_progress (sprint_id, task_id, at, remaining) "
            "SELECT sprint_items.sprint_id, sprint_tasks.id, "
            "COALESCE(sprints.committed_at, sprint_items.added_at), sprint_tasks.remaining "
            "FROM sprint_tasks "
            "JOIN sprint_items ON sprint_items.id = sprint_tasks.sprint_item_id "
            "JOIN sprints ON sprints.id = sprint_items.sprint_id"
        )
    )


def downgrade() -> None:
    schema.drop_indexed_table("task_progress", "sprint_id")
    schema.drop_columns("sprint_tasks", "remaining")
