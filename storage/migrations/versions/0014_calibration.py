"""calibration: when work on a sprint item began (its first task under way in the sprint)"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0014"
down_revision: str | None = "0013"


def upgrade() -> None:
    schema.add_columns("sprint_items", schema.utc("started_at", nullable=True))
    # Items of earlier sprints start where their task history says work began: the first
    # change that left a task with fewer hours than planned, after the commitment and before
    # the item was done (finishing an item zeroes its tasks: that is no start). Taking a task
    # was not recorded then; those items count from their sprint's start.
    op.execute(
        sa.text(
            "UPDATE sprint_items SET started_at = ("
            "SELECT MIN(task_progress.at) FROM task_progress "
            "JOIN sprint_tasks ON sprint_tasks.id = task_progress.task_id "
            "JOIN sprints ON sprints.id = task_progress.sprint_id "
            "WHERE sprint_tasks.sprint_item_id = sprint_items.id "
            "AND task_progress.remaining < sprint_tasks.hours "
            "AND sprints.committed_at IS NOT NULL "
            "AND task_progress.at >= sprints.committed_at "
            "AND (sprint_items.done_at IS NULL OR task_progress.at < sprint_items.done_at))"
        )
    )


def downgrade() -> None:
    schema.drop_columns("sprint_items", "started_at")
