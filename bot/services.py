"""What every listener needs, built once by the app factory and handed over in Bolt's context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.scheduling import JobRunner
from storage.db import Database


class Inflight:
    """Counts listener work still running after its ack.

    Shutdown waits for it so no half-done work is dropped, and tests wait for it instead of
    sleeping.
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def __enter__(self) -> None:
        self._count += 1
        self._idle.clear()

    def __exit__(self, *_: object) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    @property
    def busy(self) -> int:
        return self._count

    async def drain(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        async def settled() -> None:
            # Look again after each wake-up: an error handler may pick up where a listener
            # stopped, and work that was just acked starts its task a loop turn later.
            await asyncio.sleep(0)
            while self._count:
                await self._idle.wait()
                await asyncio.sleep(0)

        await asyncio.wait_for(settled(), timeout)


# Bolt context key of an asyncio.Event set once the HTTP ack has been written to Slack.
ACK_SENT = "ack_sent"


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    inflight: Inflight = field(default_factory=Inflight)
    jobs: JobRunner = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = JobRunner(self.db, self.clock)


def services(context: Any) -> Services:
    return context["services"]
