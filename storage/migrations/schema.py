"""What the migrations (storage/migrations/versions) build again and again: columns by kind
(not null unless said), a table with its integer id, primary key and owning row, aware times, a
foreign key to another table's id, an index on one column, columns added to or dropped from a
table; and a migration made of such steps (`reversible`), whose downgrade undoes them in turn so
it cannot drift from its upgrade.

The names follow storage.models' naming convention (pk_<table>, fk_<table>_<column>_<target>,
ix_<table>_<column>), so the migrations build exactly what the models declare.

Old migrations build their tables with these: never change what one builds (that would change
what an old revision made). A new need gets a new function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from alembic import op

import storage.models

Column = Callable[..., sa.Column]


def _kind(type_: Callable[[], Any]) -> Column:
    """A column maker for one SQL type: `maker(name, nullable=False, default=None)`."""

    def column(name: str, *, nullable: bool = False, default: str | None = None) -> sa.Column:
        return sa.Column(name, type_(), nullable=nullable, server_default=default)

    return column


integer = _kind(sa.Integer)
number = _kind(sa.Float)
prose = _kind(sa.Text)
flag = _kind(sa.Boolean)
day = _kind(sa.Date)
json = _kind(sa.JSON)


def text(
    name: str, length: int, *, nullable: bool = False, default: str | None = None
) -> sa.Column:
    """A string of at most `length` characters."""
    return sa.Column(name, sa.String(length=length), nullable=nullable, server_default=default)


def id_column() -> sa.Column:
    """The integer `id` a table starts with (`primary_key` makes it the key)."""
    return sa.Column("id", sa.Integer(), nullable=False)


def primary_key(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def utc(name: str, *, nullable: bool = False) -> sa.Column:
    """An aware time, kept in UTC (storage.models.UTCDateTime)."""
    return sa.Column(name, storage.models.UTCDateTime(timezone=True), nullable=nullable)


def refers(
    table: str, column: str, target: str, ondelete: str = "CASCADE"
) -> sa.ForeignKeyConstraint:
    """`table.column` holds an id of `target`; the row goes when that one does (by default)."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def create_table(
    table: str,
    *columns: sa.Column | sa.Constraint,
    owner: tuple[str, str] | None = None,
    indexed: bool = False,
) -> None:
    """Creates `table` with its integer id first and its primary key. `owner` is (column,
    target): each row belongs to a row of `target` (the column comes right after the id) and
    goes with it; `indexed` indexes that column."""
    owned: list[sa.Column | sa.Constraint] = []
    if owner is not None:
        column, target = owner
        owned = [integer(column), refers(table, column, target)]
    op.create_table(table, id_column(), *owned, *columns, primary_key(table))
    if indexed and owner is not None:
        create_index(table, owner[0])


def create_index(table: str, column: str) -> None:
    """The index on one column, ix_<table>_<column>."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def drop_indexed_table(table: str, column: str) -> None:
    """Drops a table made with `create_index(table, column)`, its index first."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))

    op.drop_table(table)


def resize_text(table: str, column: str, length: int, *, was: int) -> None:
    """A not-null string column made `length` characters long (it was `was`)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(
            column,
            existing_type=sa.String(length=was),
            type_=sa.String(length=length),
            existing_nullable=False,
        )


def add_columns(table: str, *columns: sa.Column) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.add_column(column)


def drop_columns(table: str, *names: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in names:
            batch_op.drop_column(name)


class Step(Protocol):
    """One change of a migration that knows how to undo itself."""

    def up(self) -> None: ...

    def down(self) -> None: ...


class Columns:
    """Columns added to a table; undone by dropping them, the last added first."""

    def __init__(self, table: str, *columns: sa.Column) -> None:
        self.table, self.columns = table, columns

    def up(self) -> None:
        add_columns(self.table, *self.columns)

    def down(self) -> None:
        drop_columns(self.table, *(column.name for column in reversed(self.columns)))


@dataclass(frozen=True)
class Resized:
    """A not-null string column made `length` characters long (`resize_text`); undone by
    making it `was` long again."""

    table: str
    column: str
    length: int
    was: int

    def up(self) -> None:
        resize_text(self.table, self.column, self.length, was=self.was)

    def down(self) -> None:
        resize_text(self.table, self.column, self.was, was=self.length)


def reversible(
    changes: Callable[[], tuple[Step, ...]],
) -> tuple[Callable[[], None], Callable[[], None]]:
    """A migration's `upgrade` and `downgrade` from its steps: the upgrade takes them in
    order, the downgrade undoes them from the last (`upgrade, downgrade = reversible(changes)`).
    The steps are built at each run, inside it: Alembic's `op` answers only then, and a
    column belongs to the one table it was built into."""

    def upgrade() -> None:
        for step in changes():
            step.up()

    def downgrade() -> None:
        for step in reversed(changes()):
            step.down()

    return upgrade, downgrade
