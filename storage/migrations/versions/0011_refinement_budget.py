"""refinement budget: the share of a sprint's capacity a team gives to refinement (None: 10%)"""

from storage.migrations import schema

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    schema.add_columns("teams", schema.number("refinement_share", nullable=True))


def downgrade() -> None:
    schema.drop_columns("teams", "refinement_share")
