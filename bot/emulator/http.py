"""What every emulator is underneath its vendor's API: an aiohttp server on 127.0.0.1 (a free
port by default) with an injected clock, that records each call and can hold answers back;
and the JSON answers the tracker emulators give.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic, Self, TypeVar

from aiohttp import web

from bot.emulator.calls import Recorded
from bot.emulator.faults import HeldAnswers

Clock = Callable[[], "float | datetime"]
"""Epoch seconds (or an aware datetime) now; injected so tests control time."""

CallT = TypeVar("CallT", bound=Recorded)


class LocalServer(Generic[CallT]):
    """An emulator's server and what tests read of it: ``url`` once started, ``calls`` in
    the order made. A subclass builds its routes in ``make_app`` and ends its own work
    (sockets, webhook deliveries) in ``_stopping``."""

    def __init__(self, *, now: Clock = time.time, host: str = "127.0.0.1", port: int = 0) -> None:
        self.now = now
        self.host = host
        self.port = port
        self.url = ""
        self.calls: list[CallT] = []
        self.held_answers = HeldAnswers()
        self._runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> None:
        """Listen on ``host:port`` (a free port by default) and set ``port`` and ``url``."""
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.url = f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Answers what is held, ends the emulator's own work, then closes the server."""
        self.release_held()
        await self._stopping()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _stopping(self) -> None:
        """What a subclass ends before its server closes."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def host_setting(self) -> str:
        """What to put in TIMEBOX_TRACKER_HOSTS for this emulator."""
        return f"{self.host}:{self.port}"

    def release_held(self) -> None:
        """Answer every call ``delay_next`` is holding now (``stop()`` does it too)."""
        self.held_answers.release()

    # -- time ----------------------------------------------------------------------------

    def epoch(self) -> float:
        """``now()`` as epoch seconds."""
        value = self.now()
        return value.timestamp() if isinstance(value, datetime) else float(value)

    def advance(self, seconds: float) -> None:
        """Only for a ``now`` that is a ``ManualClock.now``: see ``bot.runtime.clock``."""
        owner = getattr(self.now, "__self__", None)
        if owner is None or not hasattr(owner, "advance"):
            raise TypeError("advance() needs now=ManualClock().now")
        owner.advance(timedelta(seconds=seconds))

    # -- calls ---------------------------------------------------------------------------

    def calls_to(self, route: str) -> list[CallT]:
        return [c for c in self.calls if c.route == route]

    def reset_calls(self) -> None:
        self.calls.clear()


async def json_body(request: web.Request) -> Any:
    """The request's JSON body; None when it has none. ``json.JSONDecodeError`` when it is
    not JSON."""
    if not request.can_read_body:
        return None
    text = await request.text()
    return json.loads(text) if text.strip() else None


def answer(
    call: Any, status: int, data: Any, headers: dict[str, str] | None = None
) -> web.Response:
    """``data`` as a JSON answer (none for a 204 or no data), recorded on ``call`` as the
    client gets it (``status``, ``response``)."""
    call.status, call.response = status, data
    if status == 204 or data is None:
        return web.Response(status=status, headers=headers)
    return web.json_response(data, status=status, headers=headers)
