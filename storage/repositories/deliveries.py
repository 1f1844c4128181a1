"""Deliveries from Slack already handled, so a retry or replay acts once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete

from storage.models import (
    Delivery,
)
from storage.repositories.base import Repository


class DeliveryQueries(Repository):
    """Request identities seen."""

    async def first_deliveries(self, deliveries: list[dict[str, Any]]) -> set[str]:
        """Records deliveries (key, at) in one statement; the keys seen for the first time
        (the others are retries)."""
        return await self._insert_many_ignoring_conflict(Delivery, deliveries)

    async def first_act(self, request: str, now: datetime) -> bool:
        """Records that a request acts; False if it (a copy of it) already has. Kept apart
        from the delivery keys, which are recorded after the ack for retries."""
        return await self._insert_ignoring_conflict(Delivery, {"key": f"act:{request}", "at": now})

    async def forget_deliveries(self, before: datetime) -> int:
        """Drops delivery keys older than `before` (Slack retries within the hour)."""
        result = await self.session.execute(delete(Delivery).where(Delivery.at < before))
        return result.rowcount or 0
