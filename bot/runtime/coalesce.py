"""Coalesced updates: many requests to redraw one message become a few redraws.

A hundred votes in a second must not become a hundred `chat.update` calls (Slack rate-limits
them). Per key, the first request runs at once; requests that arrive while it runs, or within
`interval` after it, fold into one more run at the end of the interval. Each run reads the
current state itself, so the last run always shows the final state exactly.

The waiting counts as work in flight, so shutdown and tests wait for the last redraw; but it
rests: once a drain finds nothing else running (`Inflight.hurry`), the interval is cut short.
Tests never sleep, and a stopping bot sends its final redraws at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

from bot.runtime.inflight import Inflight

log = logging.getLogger(__name__)

Run = Callable[[], Awaitable[None]]


class Coalescer:
    def __init__(
        self,
        inflight: Inflight,
        interval: float = 1.0,
        turn: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.inflight = inflight
        self.interval = interval
        self.turn = turn  # waits, before each run, for requests waiting for their acks
        self._pending: dict[Hashable, Run] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self.runs = 0  # how many redraws ran, for benchmarks and tests

    def request(self, key: Hashable, run: Run) -> None:
        """Asks for `run` to happen soon; folds into a pending run for the same key."""
        self._pending[key] = run
        if key in self._tasks:
            return
        self.inflight.__enter__()  # counted now, before the task gets its first turn
        self._tasks[key] = asyncio.create_task(self._drive(key))

    async def _drive(self, key: Hashable) -> None:
        try:
            while key in self._pending:
                if self.turn is not None:
                    await self.turn()
                run = self._pending.pop(key)
                self.runs += 1
                try:
                    await run()
                except Exception:
                    log.exception("coalesced update %r failed", key)
                await self._pause()
        finally:
            del self._tasks[key]
            self.inflight.__exit__()

    async def _pause(self) -> None:
        with self.inflight.resting(), contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.inflight.hurry.wait(), self.interval)
