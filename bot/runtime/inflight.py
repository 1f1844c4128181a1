"""Work in flight and its order: what shutdown and tests wait for, and acks before acked work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class Inflight:
    """Counts listener work still running after its ack.

    Shutdown waits for it so no half-done work is dropped, and tests wait for it instead of
    sleeping.
    """

    def __init__(self) -> None:
        self._count = 0
        self._resting = 0  # of which only waits on purpose (a coalescing pause)
        self._changed = asyncio.Event()
        self._draining = 0
        self.hurry = asyncio.Event()
        """Set while a drain finds nothing but resting work: it may go on at once."""

    def __enter__(self) -> None:
        self._count += 1
        self._changed.set()

    def __exit__(self, *_: object) -> None:
        self._count -= 1
        self._changed.set()

    @contextlib.contextmanager
    def resting(self) -> Iterator[None]:
        """Marks in-flight work that only waits on purpose (a coalescing pause): a drain
        lets it go on at once when nothing else is running, so nobody waits for the pause."""
        self._resting += 1
        self._changed.set()
        try:
            yield
        finally:
            self._resting -= 1
            self._changed.set()

    @property
    def busy(self) -> int:
        return self._count

    async def resting_only(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Waits until nothing is in flight but work that only waits on purpose (a coalescing
        pause), without cutting that short (as `drain` does): what a test looks at before it
        moves its clock."""

        async def quiet() -> None:
            await asyncio.sleep(0)
            while self._count > self._resting:
                self._changed.clear()
                await self._changed.wait()
                await asyncio.sleep(0)

        await asyncio.wait_for(quiet(), timeout)

    async def drain(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        async def settled() -> None:
            # Look again after each change: an error handler may pick up where a listener
            # stopped, and work that was just acked starts its task a loop turn later.
            await asyncio.sleep(0)
            while self._count:
                if self._count <= self._resting:
                    self.hurry.set()
                self._changed.clear()
                await self._changed.wait()
                await asyncio.sleep(0)

        self._draining += 1
        try:
            await asyncio.wait_for(settled(), timeout)
        finally:
            self._draining -= 1
            if not self._draining:
                self.hurry.clear()


class AckFirst:
    """Acks go before work already acked.

    Slack waits for each ack (3 s at most); nobody waits for the work behind an ack to the
    millisecond. Requests count themselves from arrival until their ack is written, and work
    after an ack takes its turn only once no request is waiting and, in a burst, none has come
    for `quiet` seconds (or after `limit` seconds, so a steady stream never starves it). One
    event loop serves both: without this, a burst of clicks would queue its later acks behind
    the earlier clicks' database work.
    """

    def __init__(self, limit: float = 0.5, quiet: float = 0.005) -> None:
        self.limit = limit
        self.quiet = quiet
        self._waiting = 0
        self._clear = asyncio.Event()
        self._clear.set()
        self._arrivals = (0.0, 0.0)  # loop times of the last two arrivals
        self._tickets = 0  # requests come so far
        self._due: set[int] = set()  # the tickets of the requests waiting for their acks
        self._acked = asyncio.Event()  # set whenever an ack has gone

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        self._arrivals = (self._arrivals[1], asyncio.get_running_loop().time())
        self._tickets += 1
        ticket = self._tickets
        self._due.add(ticket)
        self._waiting += 1
        self._clear.clear()
        try:
            yield
        finally:
            self._due.discard(ticket)
            self._acked.set()
            self._waiting -= 1
            if not self._waiting:
                self._clear.set()

    async def turn(self, calm: bool = True) -> None:
        """Returns once no request is waiting for its ack and a burst is over, or `limit` has
        passed. Without `calm`, for work that must not wait for a burst to end (the first
        redraw of a poll): once the requests come so far have their acks on their way (later
        ones may still be waiting)."""
        if not calm:
            await self._acks_due()
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limit
        while (left := deadline - loop.time()) > 0:
            if self._waiting:
                try:
                    async with asyncio.timeout(left):
                        await self._clear.wait()
                except TimeoutError:
                    return
                continue
            previous, last = self._arrivals
            since = loop.time() - last
            if since >= self.quiet or last - previous >= self.quiet:  # no burst going on
                return
            await asyncio.sleep(min(self.quiet - since, left))

    async def _acks_due(self) -> None:
        loop = asyncio.get_running_loop()
        deadline, come = loop.time() + self.limit, self._tickets
        while self._due and min(self._due) <= come:
            self._acked.clear()
            try:
                async with asyncio.timeout_at(deadline):
                    await self._acked.wait()
            except TimeoutError:
                return
