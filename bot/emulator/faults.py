"""Faults the emulators can be told to make, so tests see what a vendor does on a bad day.

``HeldAnswers`` holds answers back for real seconds (a client's timeout fires) until released;
every emulator has one. ``Faults`` is the plan of the tracker emulators (Jira, GitHub,
Linear): the next calls of a route failed or held, or a share of them at random. What a
failure looks like on the wire is each vendor's own, so the emulators answer it themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass

from aiohttp import web

from bot.emulator.calls import TrackerCall

POLL_SECONDS = 0.02
"""How often a held answer looks whether its client hung up."""


def hung_up(request: web.Request) -> bool:
    """Whether the client of ``request`` closed its connection."""
    return request.transport is None or request.transport.is_closing()


class HeldAnswers:
    """Answers held back for real seconds: one event lets them all go at once
    (``release_held()``, ``stop()``), and a client that hangs up ends its own wait."""

    def __init__(self) -> None:
        self._release: asyncio.Event | None = None

    async def wait(self, seconds: float, request: web.Request) -> None:
        """Waits ``seconds``, or until released, or until the caller of ``request`` hangs up."""
        if self._release is None:
            self._release = asyncio.Event()
        release = self._release
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while loop.time() < until and not release.is_set():
            if hung_up(request):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(release.wait(), min(POLL_SECONDS, until - loop.time()))

    def release(self) -> None:
        """Answers every call held now; later holds wait afresh."""
        if self._release is not None:
            self._release.set()
        self._release = None


@dataclass
class Fault:
    """One planned fault: for ``remaining`` calls (after ``skip`` let through), or a
    ``ratio`` of them drawn from ``rng``."""

    route: str | None  # None: any route
    status: int | None = None  # None: only held (``delay``)
    retry_after: float | None = None  # seconds: Retry-After, or when a rate limit resets
    limit: str | None = None  # the rate limit the answer stands for (vendor's words); None: none
    delay: float | None = None
    applied: bool = False  # held after the work is done (only the answer is late)
    remaining: int | None = None
    skip: int = 0
    ratio: float | None = None
    rng: random.Random | None = None


class Faults:
    """The faults planned for a tracker emulator's next calls, in the order planned.

    The emulator plans them (``fail_next``, ``delay_next``, ``fail_rate`` with its vendor's
    defaults), takes the one for each call (``take``), answers a failure in its vendor's
    words, and lets ``hold_request`` and ``hold_answer`` hold the call back. A planned
    ``route`` covers that route and the routes below it (``graphql`` covers
    ``graphql.node``); None covers every route.
    """

    def __init__(self, held: HeldAnswers) -> None:
        self.planned: list[Fault] = []
        self.held = held

    def add(self, fault: Fault) -> None:
        self.planned.append(fault)

    def clear(self) -> None:
        self.planned.clear()

    def take(self, route: str) -> Fault | None:
        """The fault for this call of ``route`` (counted as used), or None."""
        for fault in list(self.planned):
            if not _covers(fault.route, route):
                continue
            if fault.ratio is not None:
                if fault.rng is not None and fault.rng.random() < fault.ratio:
                    return fault
                continue
            if fault.skip > 0:
                fault.skip -= 1
                continue
            fault.remaining = (fault.remaining or 1) - 1
            if fault.remaining <= 0:
                self.planned.remove(fault)
            return fault
        return None

    async def hold_request(
        self, fault: Fault | None, call: TrackerCall, request: web.Request
    ) -> web.Response | None:
        """A delay not ``applied``: the request waits before it is done. If its client hangs
        up meanwhile it never is: the call is marked dropped, and the 499 returned stands for
        the answer nobody reads. None: go on."""
        if fault is None or not fault.delay or fault.applied:
            return None
        return await self._hold(fault.delay, call, request)

    async def hold_answer(
        self, fault: Fault | None, call: TrackerCall, request: web.Request, status: int
    ) -> web.Response | None:
        """An ``applied`` delay: the work is done (``status``), only its answer waits; a client
        that hangs up meanwhile never hears it (the 499 returned). None: answer now."""
        if fault is None or not fault.delay or not fault.applied:
            return None
        gone = await self._hold(fault.delay, call, request)
        if gone is not None:
            call.status = status
        return gone

    async def _hold(
        self, seconds: float, call: TrackerCall, request: web.Request
    ) -> web.Response | None:
        call.held = seconds
        await self.held.wait(seconds, request)
        if hung_up(request):
            call.dropped = True
            return web.Response(status=499)
        return None


def _covers(planned: str | None, route: str) -> bool:
    return planned is None or route == planned or route.startswith(planned + ".")
