"""poll left voters: the voters an async poll stopped waiting for, having left the channel
(who may come back), the time zone a typed deadline (`until fri 17:00`) was read in, and the
roles its voters were chosen by (who may join it)"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0016"
down_revision: str | None = "0015"


def upgrade() -> None:
    schema.add_columns(
        "poker_polls",
        schema.json("left_voters", default="[]"),
        schema.text("deadline_zone", 64, nullable=True),
        schema.json("roles_asked", nullable=True),
    )
    # Polls made before: their roles as their note said them then (voters named stay None).
    developers = "the channel's Developers"
    for roles, note in (
        ([], developers),
        (["po"], f"{developers} and the Product Owner"),
        (["sm"], f"{developers} and the Scrum Master"),
        (["po", "sm"], f"{developers} and the Product Owner and the Scrum Master"),
    ):
        update = sa.text("UPDATE poker_polls SET roles_asked = :roles WHERE voters_note = :note")
        op.execute(update.bindparams(sa.bindparam("roles", roles, type_=sa.JSON), note=note))


def downgrade() -> None:
    schema.drop_columns("poker_polls", "left_voters", "deadline_zone", "roles_asked")
