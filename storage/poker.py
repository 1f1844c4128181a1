"""Queries for planning poker (mixed into `Store`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class PokerQueries:
    session: AsyncSession
