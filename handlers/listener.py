"""The decorator every listener wears.

- It runs the listener as a task of its own and returns to Bolt as soon as the listener has
  called `ack()` (or ended): the app runs Bolt with `process_before_response=True`, so Bolt
  sends the ack the moment this returns. (Left to itself, Bolt would start the listener and
  look for its ack every 10 ms: up to 10 ms on every ack, and a wake-up per waiting request
  every 10 ms in a burst.) Every listener must wear it: one that does not would hold its ack
  until it ends (tests/process/test_acks.py checks the app's listeners).
- It counts the listener's work as in flight: shutdown and tests wait for it.
- `ack()` returns only once the HTTP ack is on its way to Slack, so a fast listener never
  calls the Web API first.
- The work after the ack then waits its turn: acks of other requests go first (AckFirst).
  `ack(on_sent=...)` asks for something in between, as soon as the ack is on its way.
- It binds the request's team, channel, user and id to every log record the work writes.
- It acks a request whose listener failed before acking, so Slack never waits for it.
- It hands any exception to the app's error handler itself, so Bolt never sees one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import wraps
from typing import Any, TypeVar

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
                    await _started(svc)
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
            await _started(svc)
        if on_sent is not None:
            on_sent()
        if sent is not None:
            await svc.acks.turn()

    return ack_then_wait


async def _started(svc: Services) -> None:
    """Waits for the end of start-up: `timebox run` answers its first request before it has
    loaded the tracker clients (bot/process/server.py)."""
    if not svc.started.is_set():
        await svc.started.wait()


async def _wait(sent: asyncio.Event) -> None:
    if sent.is_set():
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(ACK_WAIT_SECONDS):  # no task of its own, as wait_for makes
            await sent.wait()


def register_all(
    add: Callable[[Any], Callable[[Callable[..., Any]], Any]],
    listeners: Mapping[Callable[..., Any], Sequence[Any]],
) -> None:
    """Registers each listener for each id (or pattern) it answers, in the table's order:
    `add` is the app's `action`, `view`, ... (Bolt tries listeners in registration order)."""
    for handle, ids in listeners.items():
        for id_ in ids:
            add(id_)(handle)
