"""The decorator every listener wears, and tables of listeners registered as one.

- It runs the listener as a task of its own and returns to Bolt as soon as the listener has
  called `ack()` (or ended): the app runs Bolt with `process_before_response=True`, so Bolt
  sends the ack the moment this returns. (Left to itself, Bolt would start the listener and
  look for its ack every 10 ms: up to 10 ms on every ack, and a wake-up per waiting request
  every 10 ms in a burst.) Every listener must wear it: one that does not would hold its ack
  until it ends (tests/process/test_acks.py checks the app's listeners).
- It counts the listener's work as in flight: shutdown and tests wait for it.
- `ack()` returns only once the HTTP ack is on its way to Slack, so a fast listener never
  calls the Web API first.
- The work after the ack waits for the end of start-up (`Services.started`: the tracker
  clients are loaded after the first answer), then its turn: acks of other requests go first
  (AckFirst). `ack(on_sent=...)` asks for something in between, as soon as the ack is on its
  way.
- It binds the request's team, channel, user and id to every log record the work writes.
- It acks a request whose listener failed before acking, so Slack never waits for it.
- It hands any exception to the app's error handler itself, so Bolt never sees one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import wraps
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import logs
from bot.runtime.services import ACK_SENT, Services, services
from bot.usecases.unit import Replayed
from handlers.errors import report_error, request_fields

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
NEEDED = {"body", "client", "context"}
ACK_WAIT_SECONDS = 3.0
DELIVERY = "delivery"
"""Bolt context key of a command's or click's delivery key while nothing has recorded it:
the app records it after the ack (bot/process/app.py), unless the listener takes it to record
with a write of its own (`take_delivery`)."""


def take_delivery(context: Any) -> str | None:
    """The request's delivery key, which the caller records in its own transaction (before
    the ack): the app then does not record it again."""
    return context.pop(DELIVERY, None)


def listener(func: F) -> F:
    missing = NEEDED - set(inspect.signature(func).parameters)
    if missing:
        raise TypeError(f"{func.__name__} must accept {', '.join(sorted(missing))}")

    @wraps(func)
    async def tracked(**kwargs: Any) -> None:
        inflight = services(kwargs["context"]).inflight
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        inflight.__enter__()  # counted before Bolt sends the ack: a drain cannot miss it
        try:
            task = asyncio.create_task(_work(func, kwargs, acked))
        except BaseException:
            inflight.__exit__()
            raise
        _running.add(task)
        task.add_done_callback(_running.discard)
        await acked

    tracked.__timebox_listener__ = True  # type: ignore[attr-defined]
    return tracked  # type: ignore[return-value]


_running: set[asyncio.Task[None]] = set()  # the listeners' tasks (the loop keeps weak refs)


def wrapped(function: Callable[..., Any]) -> bool:
    """Whether a function Bolt calls wears `listener`."""
    return getattr(function, "__timebox_listener__", False)


async def _work(
    func: Callable[..., Awaitable[Any]], kwargs: dict[str, Any], acked: asyncio.Future[None]
) -> None:
    """The listener itself; `acked` (a future) is resolved once it has called `ack()`, or at
    once for an event (Bolt acks those itself), and in any case when it ends."""
    context = kwargs["context"]
    svc = services(context)
    try:
        with logs.bind(**request_fields(kwargs["body"], context)):
            sent: asyncio.Event | None = context.get(ACK_SENT)
            called: list[bool] = []
            if "ack" in kwargs:
                kwargs["ack"] = _ack_then_wait(kwargs["ack"], sent, called, svc, acked)
            else:  # events: Bolt acks them once this has returned
                _resolve(acked)
                if sent is not None:
                    await _wait(sent)
                    await svc.started.wait()  # the end of start-up (Services.started)
                    await svc.acks.turn()
            try:
                await func(**kwargs)
            except Replayed as copy:
                log.info("a copy of request %s has acted already: nothing done", copy)
            except Exception as error:
                if "ack" in kwargs and not called:
                    # It failed before its ack (say, reading a form): Slack still gets its 200
                    # at once, not a 404 after 3 s, and the user the answer below.
                    await kwargs["ack"]()
                await report_error(error, kwargs["body"], kwargs["client"], context)
    finally:
        _resolve(acked)
        svc.inflight.__exit__()


def _resolve(acked: asyncio.Future[None]) -> None:
    if not acked.done():
        acked.set_result(None)


def _ack_then_wait(
    ack: Any,
    sent: asyncio.Event | None,
    called: list[bool],
    svc: Services,
    acked: asyncio.Future[None],
) -> Callable[..., Awaitable[None]]:
    async def ack_then_wait(
        *args: Any, on_sent: Callable[[], None] | None = None, **kwargs: Any
    ) -> None:
        """Bolt's ack, handed to Bolt at once; then waits until it is on its way, start-up
        is complete and the work's turn has come. `on_sent` is called in between, once the
        ack is on its way: something to ask for at once (a coalesced redraw) rather than after
        the other requests' acks."""
        called.append(True)
        await ack(*args, **kwargs)
        _resolve(acked)
        if sent is not None:
            await _wait(sent)
            await svc.started.wait()  # the end of start-up (Services.started)
        if on_sent is not None:
            on_sent()
        if sent is not None:
            await svc.acks.turn()

    return ack_then_wait


async def _wait(sent: asyncio.Event) -> None:
    if sent.is_set():
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(ACK_WAIT_SECONDS):  # no task of its own, as wait_for makes
            await sent.wait()


def register_all(
    add: Callable[[Any], Callable[[Callable[..., Any]], Any]],
    listeners: Mapping[Callable[..., Any], Sequence[str | re.Pattern[str]]],
) -> None:
    """Registers a table of listeners and the ids (or patterns) each answers as one Bolt
    listener: `add` is the app's `action`, `view`, ... The request goes to the first listener
    of the table whose id matches, in the table's order, as Bolt would try them one by one.
    Bolt's trying costs about 10 µs a listener (it builds each matcher's arguments): with one
    listener per id, a form's submission, registered after sixty buttons, waited a millisecond
    before its listener ran."""
    table = _Table(listeners)
    add(table.constraint)(table.route)


class _Table:
    """Which listener of a table answers a request's id (an action's action_id, a form's or
    an attachment's callback_id): a dict for exact ids, then the few patterns."""

    def __init__(self, listeners: Mapping[Callable[..., Any], Sequence[str | re.Pattern[str]]]):
        self.exact: dict[str, tuple[int, Callable[..., Awaitable[Any]]]] = {}
        self.patterns: list[tuple[int, re.Pattern[str], Callable[..., Awaitable[Any]]]] = []
        self.ids: list[str | re.Pattern[str]] = []  # every id, in order (for tests to read)
        order = 0
        for handle, ids in listeners.items():
            if not wrapped(handle) or set(get_arg_names_of_callable(handle)) - ROUTED:
                raise TypeError(f"{handle.__name__} must wear @listener and take only {ROUTED}")
            for id_ in ids:
                self.ids.append(id_)
                if isinstance(id_, str):
                    self.exact.setdefault(id_, (order, handle))
                else:
                    self.patterns.append((order, id_, handle))
                order += 1
        exact = "|".join(re.escape(id_) for id_ in self.exact)
        self.constraint = re.compile(
            "|".join([f"^(?:{exact})$", *(f"(?:{p.pattern})" for _, p, _ in self.patterns)])
        )

        async def route(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
        ) -> None:
            handle = self.handler(_id_of(body))
            if handle is None:  # Bolt matched it with the same rules: it cannot happen
                raise LookupError(f"no listener for {_id_of(body)!r}")
            await handle(ack=ack, body=body, client=client, context=context)

        route.__timebox_listener__ = True  # type: ignore[attr-defined]
        route.table = self  # type: ignore[attr-defined]
        self.route = route

    def handler(self, id_: str | None) -> Callable[..., Awaitable[Any]] | None:
        if id_ is None:
            return None
        found = self.exact.get(id_)
        for order, pattern, handle in self.patterns:
            if (found is None or order < found[0]) and pattern.search(id_):
                found = (order, handle)
                break
        return found[1] if found else None


ROUTED = {"ack", "body", "client", "context"}


def _id_of(body: dict[str, Any]) -> str | None:
    """The id Bolt matched a request's listener by: a block action's action_id, a form's
    callback_id, else the callback_id of an attachment's action or a dialog."""
    kind = body.get("type")
    if kind == "block_actions":
        return (body.get("actions") or [{}])[0].get("action_id")
    if kind in ("view_submission", "view_closed"):
        return (body.get("view") or {}).get("callback_id")
    return body.get("callback_id")
