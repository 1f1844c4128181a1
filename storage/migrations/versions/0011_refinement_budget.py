"""refinement budget: the share of a sprint's capacity a team gives to refinement (None: 10%)"""

from storage.migrations import schema

revision: str = "0011"
down_revision: str | None = "0010"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Columns("teams", schema.number("refinement_share", nullable=True)),)


upgrade, downgrade = schema.reversible(changes)
