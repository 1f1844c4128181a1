"""What the tracker emulators (Jira, GitHub, Linear) share under their vendor's API: planned faults,
ids and time stamps, and webhook events queued then delivered; and for the REST ones (Jira, GitHub)
the route table and the one way each request is recorded, faulted, authenticated and answered. What
differs (a vendor's words for a failure, its credentials, its headers) stays with each vendor's
emulator, in the hooks below.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypedDict, TypeVar, Unpack

from aiohttp import web

from bot.emulator.calls import RestCall
from bot.emulator.faults import Fault, Faults
from bot.emulator.http import CallT, Clock, LocalServer, answer, json_body
from bot.emulator.issue_page import add_issue_pages
from bot.emulator.webhooks import Delivery, deliver_soon, post_all

Handler = Callable[..., tuple[int, Any]]
"""A REST route's work: ``(request, user, body)`` to ``(status, data)``."""

Route = tuple[str, str, str, Handler]
"""A REST route: method, path, the name calls are recorded under, its handler."""

HandlerT = TypeVar("HandlerT", bound=Handler)


def iso_millis(when: datetime, zone: str = "Z") -> str:
    """``when`` (a UTC time) in ISO 8601 to the millisecond, then ``zone``: how Jira (``Z``,
    or ``+0000`` on an issue's fields) and Linear write their times."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}{zone}"


def route(method: str, path: str, name: str) -> Callable[[HandlerT], HandlerT]:
    """Marks a REST emulator's method as the handler of ``method path``, its calls recorded
    as ``name``: the route stands with the code that answers it."""

    def mark(handler: HandlerT) -> HandlerT:
        handler.rest_route = (method, path, name)  # type: ignore[attr-defined]
        return handler

    return mark


class ServerOptions(TypedDict, total=False):
    """Where an emulator listens and whose clock it reads (``LocalServer``'s defaults)."""

    now: Clock
    host: str
    port: int


class Refusal(Exception):
    """A handler's refusal: the HTTP ``status`` and the vendor's error ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class TrackerServer(LocalServer[CallT]):
    """A tracker emulator: ``faults`` planned for its next calls, ids counted from
    ``first_id``, time stamps that never repeat, and events for its webhooks, sent by
    ``deliver_webhooks()`` or at once when ``auto_webhooks`` is set (the sandbox). Its
    ``@issue_page`` methods serve the vendor's web page of an issue (``issue_page.py``)."""

    VENDOR = "Tracker"
    """The vendor's name, as its web pages are titled."""

    def __init__(self, *, first_id: int = 0, **server: Unpack[ServerOptions]) -> None:
        super().__init__(**server)
        self.faults = Faults(self.held_answers)
        self.auto_webhooks = False
        self._events: list[Any] = []
        self._delivering: set[asyncio.Task[None]] = set()
        self._ids = first_id
        self._last_stamp = 0.0

    async def _stopping(self) -> None:
        for task in list(self._delivering):
            task.cancel()

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _now_stamp(self) -> float:
        """``now()`` in the vendor's time stamps: epoch milliseconds (GitHub: whole seconds)."""
        return float(round(self.epoch() * 1000))

    def _stamp(self) -> float:
        """``_now_stamp()``, strictly after the last stamp even when time stands (tests stop
        the clock): each change has its own time."""
        stamp = max(self._now_stamp(), self._last_stamp + 1)
        self._last_stamp = stamp
        return stamp

    # -- faults --------------------------------------------------------------------------

    def delay_next(
        self, seconds: float, *, route: str | None = None, times: int = 1, applied: bool = False
    ) -> None:
        """Hold the answer to the next ``times`` calls (of ``route``: ``graphql`` holds every
        GraphQL call) for ``seconds`` of real time (or until ``release_held()``/``stop()``),
        so a client's timeout fires. ``applied=False``: the request is dropped if the client
        hangs up; ``applied=True``: it is done at once and only the answer is late (a create
        that happened although the client never heard)."""
        self.faults.add(Fault(route, delay=seconds, applied=applied, remaining=times))

    FAIL_RATE_STATUS = 503
    """The status ``fail_rate`` fails calls with when it names none (the vendor's usual)."""

    def fail_rate(
        self,
        ratio: float,
        status: int | None = None,
        *,
        route: str | None = None,
        retry_after: float | None = None,
        delay: float | None = None,
        seed: int = 0,
    ) -> None:
        """Fail a share of calls (deterministically from ``seed``): ``status``
        (``FAIL_RATE_STATUS`` unless given; a 429 says ``Retry-After``, 1 second unless
        given), or held for ``delay`` seconds when it is given."""
        status = self.FAIL_RATE_STATUS if status is None else status
        if status == 429 and retry_after is None:
            retry_after = 1
        self.faults.add(
            Fault(
                route,
                None if delay else status,
                retry_after,
                delay=delay,
                ratio=ratio,
                rng=random.Random(seed),
            )
        )

    # -- webhooks ------------------------------------------------------------------------

    def _queue_event(self, event: Any) -> None:
        self._events.append(event)
        if self.auto_webhooks:
            deliver_soon(self.deliver_webhooks, self._delivering)

    async def deliver_webhooks(self) -> int:
        """POSTs every pending event to every webhook that wants it, signed and with the
        headers its vendor sends; how many deliveries were made."""
        events, self._events = self._events, []
        return await post_all(d for event in events for d in self._deliveries(event))

    def _deliveries(self, event: Any) -> Iterable[Delivery]:
        """One event's deliveries, one for each webhook that wants it."""
        raise NotImplementedError


class RestServer(TrackerServer[RestCall]):
    """A REST tracker emulator: its ``@route`` methods served at each of ``_mounts(path)``,
    its ``@issue_page`` web pages, and any other path answered by ``_unknown``."""

    BAD_JSON: Any = None
    """The vendor's answer (a 400) to a body that is not JSON."""

    LIMIT_429: str | None = None
    """The rate limit a 429 of ``fail_next`` stands for when it names none."""

    def fail_next(
        self,
        status: int = 429,
        *,
        route: str | None = None,
        times: int = 1,
        retry_after: float | None = None,
        limit: str | None = None,
        after: int = 0,
    ) -> None:
        """Answer the next ``times`` calls (of ``route``, or any; ``after`` calls let through
        first) with ``status``: a rate limit (429, or ``limit`` named in the vendor's words:
        GitHub's ``primary``, ``secondary``) with ``Retry-After`` (1 second unless given), or
        another status (a 5xx, with ``Retry-After`` if given). Each vendor's
        ``_fault_answer`` words it."""
        if status == 429 and limit is None:
            limit = self.LIMIT_429
        if retry_after is None and (status == 429 or limit is not None):
            retry_after = 1
        self.faults.add(Fault(route, status, retry_after, limit=limit, remaining=times, skip=after))

    def routes(self) -> list[Route]:
        """Every method marked with ``@route``, bound to this emulator."""
        found: list[Route] = []
        for attr in dir(type(self)):
            marked = getattr(getattr(type(self), attr), "rest_route", None)
            if marked is not None:
                found.append((*marked, getattr(self, attr)))
        return found

    def _mounts(self, path: str) -> list[str]:
        """Where one route's path is served (a vendor may serve its API under two roots)."""
        return [path]

    def make_app(self) -> web.Application:
        app = web.Application()
        for method, path, name, handler in self.routes():
            for mounted in self._mounts(path):
                app.router.add_route(method, mounted, self._wrap(name, handler))
        add_issue_pages(app, self, self.VENDOR)
        app.router.add_route("*", "/{tail:.*}", self._wrap("unknown", self._unknown))
        return app

    # -- the hooks a vendor fills in -------------------------------------------------------

    def _unknown(self, request: web.Request, user: Any, body: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def _name_call(self, call: RestCall, body: Any) -> None:
        """Names the call more closely once its body is read (GitHub: the GraphQL field)."""

    def _authenticate(self, request: web.Request, route: str) -> Any:
        """The caller the credentials are for, or None."""
        raise NotImplementedError

    def _who(self, user: Any) -> str:
        """The caller as recorded on the call (``call.user``)."""
        return str(user)

    def _unauthenticated(self, call: RestCall) -> web.Response:
        raise NotImplementedError

    def _fault_answer(self, call: RestCall, fault: Fault) -> web.Response:
        raise NotImplementedError

    def _answer(self, call: RestCall, status: int, data: Any) -> web.Response:
        return answer(call, status, data)

    # -- each request ----------------------------------------------------------------------

    def _wrap(
        self, route: str, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            call = RestCall(route, request.method, request.path, dict(request.query))
            call.at = self.epoch()
            self.calls.append(call)
            try:
                body = call.body = await json_body(request)
            except json.JSONDecodeError:
                return answer(call, 400, self.BAD_JSON)
            self._name_call(call, body)
            fault = self.faults.take(call.route)
            gone = await self.faults.hold_request(fault, call, request)
            if gone is not None:
                return gone
            if fault is not None and fault.status:
                return self._fault_answer(call, fault)
            user = self._authenticate(request, route)
            if user is None:
                return self._unauthenticated(call)
            call.user = self._who(user)
            try:
                status, data = handler(request, user, body)
            except Refusal as refusal:
                status, data = refusal.status, refusal.body
            gone = await self.faults.hold_answer(fault, call, request, status)
            if gone is not None:
                return gone
            return self._answer(call, status, data)

        return handle
