"""Queries for timeboxed meetings (mixed into `Store`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class MeetingQueries:
    session: AsyncSession
