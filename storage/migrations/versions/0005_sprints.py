"""sprints"""

import sqlalchemy as sa

from storage.migrations import schema

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    schema.create_table(
        "sprints",
        schema.integer("number"),
        schema.text("status", 12),
        schema.day("starts_on"),
        schema.day("ends_on"),
        schema.prose("goal"),
        schema.prose("one_thing"),
        schema.number("focus_factor"),
        schema.number("hours_per_day"),
        schema.number("first_forecast", nullable=True),
        schema.json("days_off"),
        schema.json("capacity", nullable=True),
        schema.number("committed_points", nullable=True),
        schema.number("completed_points", nullable=True),
        schema.json("committed_by"),
        schema.utc("committed_at", nullable=True),
        schema.prose("review_answer", nullable=True),
        schema.utc("closed_at", nullable=True),
        sa.UniqueConstraint("team_id", "number", name="uq_sprints_number"),
        owner=("team_id", "teams"),
        indexed=True,
    )

    schema.create_table(
        "scope_changes",
        schema.text("action", 12),
        schema.integer("item_number"),
        schema.number("points", nullable=True),
        schema.prose("reason"),
        schema.text("actor", 32),
        schema.utc("at"),
        owner=("sprint_id", "sprints"),
        indexed=True,
    )

    schema.create_table(
        "sprint_items",
        schema.integer("item_id"),
        schema.integer("position"),
        schema.flag("supports_goal"),
        schema.prose("override_reason", nullable=True),
        schema.flag("removed"),
        schema.utc("done_at", nullable=True),
        schema.utc("added_at"),
        schema.refers("sprint_items", "item_id", "backlog_items"),
        sa.UniqueConstraint("sprint_id", "item_id", name="uq_sprint_items_item"),
        owner=("sprint_id", "sprints"),
        indexed=True,
    )

    schema.create_table(
        "sprint_tasks",
        schema.text("title", 200),
        schema.number("hours"),
        schema.text("owner", 32, nullable=True),
        schema.flag("done"),
        owner=("sprint_item_id", "sprint_items"),
        indexed=True,
    )


def downgrade() -> None:
    schema.drop_indexed_table("sprint_tasks", "sprint_item_id")
    schema.drop_indexed_table("sprint_items", "sprint_id")
    schema.drop_indexed_table("scope_changes", "sprint_id")
    schema.drop_indexed_table("sprints", "team_id")
