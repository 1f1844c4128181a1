"""Coalesced updates: many requests to redraw one message become a few redraws.

A hundred votes in a second must not become a hundred `chat.update` calls (Slack allows
about one a second per message). Per key, runs lead and trail: a request runs at once when
the key's last run ended `interval` ago or more (by the injected clock); requests that come
after it, even before it has started, fold into one run when the interval is up. Runs of a
key are thus `interval` apart however long each takes. Each run reads the current state
itself, so the last run always shows the final state exactly, about `interval` at most after
the request that changed it. Acks go first: a leading run waits for the acks now due, a
trailing one for a burst of them to end.

The waiting counts as work in flight, so shutdown and tests wait for the last redraw; but it
rests: once a drain finds nothing else running (`Inflight.hurry`), the interval is cut short.
Tests never sleep, and a stopping bot sends its final redraws at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime

from bot.runtime.clock import Clock, SystemClock
from bot.runtime.inflight import Inflight

log = logging.getLogger(__name__)

Run = Callable[[], Awaitable[None]]


class Coalescer:
    def __init__(
        self,
        inflight: Inflight,
        interval: float = 1.0,
        turn: Callable[..., Awaitable[None]] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.inflight = inflight
        self.interval = interval
        # AckFirst.turn: a run waits for the requests waiting for their acks (a trailing
        # run, for a burst of them to end too).
        self.turn = turn
        self.clock = clock or SystemClock()
        self._pending: dict[Hashable, Run] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self._ended: dict[Hashable, datetime] = {}  # when each key's last run ended
        self.runs = 0  # how many redraws ran, for benchmarks and tests

    def request(self, key: Hashable, run: Run) -> None:
        """Asks for `run` to happen soon; folds into a pending run for the same key."""
        if key in self._tasks:
            self._pending[key] = run
            return
        self.inflight.__enter__()  # counted now, before the task gets its first turn
        if self._wait(key) <= 0:  # leading: at once, and any later request runs again
            self._tasks[key] = asyncio.create_task(self._drive(key, run))
        else:
            self._pending[key] = run
            self._tasks[key] = asyncio.create_task(self._drive(key, None))

    async def _drive(self, key: Hashable, run: Run | None) -> None:
        try:
            while True:
                if run is None:  # trailing: after the interval, and after a burst of acks
                    await self._pause(key)
                    if self.turn is not None:
                        await self.turn()
                    run = self._pending.pop(key)
                elif self.turn is not None:  # leading: once the acks now due are sent
                    await self.turn(calm=False)
                self.runs += 1
                try:
                    await run()
                except Exception:
                    log.exception("coalesced update %r failed", key)
                self._ended[key] = self.clock.now()
                if key not in self._pending:
                    return
                run = None
        finally:
            del self._tasks[key]
            self.inflight.__exit__()
            self._forget()

    def _wait(self, key: Hashable) -> float:
        """Seconds until the key may run again (0: at once)."""
        ended = self._ended.get(key)
        if ended is None:
            return 0.0
        elapsed = (self.clock.now() - ended).total_seconds()
        return min(self.interval - elapsed, self.interval)  # a clock set back waits no longer

    async def _pause(self, key: Hashable) -> None:
        """Waits until the clock says the key may run again, or a drain hurries it. The
        waiting is timed in real time, and ends once the clock agrees: a clock set by hand
        (tests) waits for the hand, however much real time passes."""
        with self.inflight.resting():
            while (seconds := self._wait(key)) > 0 and not self.inflight.hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.inflight.hurry.wait(), seconds)

    def _forget(self) -> None:
        """Drops the end times that no longer hold anything back."""
        if len(self._ended) < 64:
            return
        now = self.clock.now()
        for key, ended in list(self._ended.items()):
            if key not in self._tasks and (now - ended).total_seconds() >= self.interval:
                del self._ended[key]
