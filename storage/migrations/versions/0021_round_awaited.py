"""round awaited: whom a poker round waited for when it was revealed (the poll's voters then),
so its result, drawn again later, names as not voted only those it waited for, not a voter who
joined the async poll after it; none for rounds revealed before (nobody kept it)"""

from storage.migrations import schema

revision: str = "0021"
down_revision: str | None = "0020"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Columns("poker_rounds", schema.json("awaited", nullable=True)),)


upgrade, downgrade = schema.reversible(changes)
