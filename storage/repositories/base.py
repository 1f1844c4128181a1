"""What every repository shares: the session of its unit of work, a team's row by its id, and
inserts that skip rows whose unique key exists (the same on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS: dict[tuple[type[Any], str], Any] = {}

Row = TypeVar("Row")


class Repository:
    session: AsyncSession

    async def _in_team(self, model: type[Row], row_id: int, team_id: int) -> Row | None:
        """The row of `model` with this id if it is the team's; None for another team's (or
        none): an id a button or form names is only ever looked up inside the actor's team."""
        table: Any = model  # a model with `id` and `team_id` columns
        return await self.session.scalar(
            select(model).where(table.id == row_id, table.team_id == team_id)
        )

    async def _insert_ignoring_conflict(self, model: type[Any], values: dict[str, Any]) -> bool:
        """INSERT that does nothing when a unique key already exists; True if a row was added."""
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self.session.execute(insert(model).values(**values).on_conflict_do_nothing())
        return bool(result.rowcount)

    async def _insert_many_ignoring_conflict(
        self, model: type[Any], rows: list[dict[str, Any]]
    ) -> set[str]:
        """INSERTs rows keyed by their unique `key` column in one statement, skipping keys that
        exist (or come twice); the keys added."""
        if not rows:
            return set()
        dialect = self.session.bind.dialect.name
        unique = list({row["key"]: row for row in reversed(rows)}.values())
        # Built once per table (a Core insert: building it, or the ORM's bulk path, costs
        # more than the SQL), run for all the rows at once.
        statement = _INSERTS.get((model, dialect))
        if statement is None:
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            table = model.__table__
            statement = insert(table).on_conflict_do_nothing().returning(table.c.key)
            _INSERTS[(model, dialect)] = statement
        return set(await self.session.scalars(statement, unique))
