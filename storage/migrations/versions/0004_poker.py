"""planning poker: polls, rounds, votes, estimate records, a team's deck"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    schema.create_table(
        "poker_polls",
        schema.text("mode", 8),
        schema.text("status", 8),
        schema.text("facilitator", 32),
        schema.json("items"),
        schema.json("deck"),
        schema.json("voters"),
        schema.text("voters_note", 200),
        schema.text("message_ts", 32, nullable=True),
        schema.utc("deadline", nullable=True),
        schema.integer("duration_s", nullable=True),
        schema.json("nudges"),
        schema.utc("created_at"),
        schema.utc("closed_at", nullable=True),
        owner=("team_id", "teams"),
        indexed=True,
    )

    schema.create_table(
        "estimate_records",
        schema.integer("poll_id", nullable=True),
        schema.text("card", 16),
        schema.number("points"),
        schema.text("deck", 16),
        schema.text("accepted_by", 32),
        schema.utc("accepted_at"),
        schema.json("rounds"),
        schema.refers("estimate_records", "poll_id", "poker_polls", ondelete="SET NULL"),
        owner=("item_id", "backlog_items"),
        indexed=True,
    )

    schema.create_table(
        "poker_rounds",
        schema.integer("item_number"),
        schema.integer("number"),
        schema.text("status", 12),
        schema.utc("started_at"),
        schema.utc("deadline", nullable=True),
        schema.utc("revealed_at", nullable=True),
        schema.text("revealed_by", 32, nullable=True),
        schema.text("reveal_reason", 16, nullable=True),
        schema.text("result_ts", 32, nullable=True),
        schema.text("decided_by", 32, nullable=True),
        schema.text("decided_card", 16, nullable=True),
        sa.UniqueConstraint("poll_id", "item_number", "number", name="uq_poker_rounds_round"),
        owner=("poll_id", "poker_polls"),
        indexed=True,
    )

    schema.create_table(
        "poker_votes",
        schema.text("voter", 32),
        schema.text("card", 16),
        schema.prose("reason"),
        schema.utc("voted_at"),
        sa.UniqueConstraint("round_id", "voter", name="uq_poker_votes_voter"),
        owner=("round_id", "poker_rounds"),
    )
    schema.add_columns("teams", schema.json("poker", default="{}"))


def downgrade() -> None:
    schema.drop_columns("teams", "poker")

    op.drop_table("poker_votes")
    schema.drop_indexed_table("poker_rounds", "poll_id")
    schema.drop_indexed_table("estimate_records", "item_id")
    schema.drop_indexed_table("poker_polls", "team_id")
