"""The decorator every listener wears.

- It counts the listener's work as in flight: shutdown and tests wait for it.
- `ack()` returns only once the HTTP ack is on its way to Slack: Bolt sends it up to 10 ms
  after `ack()` is called, and a fast listener could otherwise call the Web API first.
- The work after the ack then waits its turn: acks of other requests go first (AckFirst).
  `ack(on_sent=...)` asks for something in between, as soon as the ack is on its way.
- It binds the request's team, channel, user and id to every log record the work writes.
- It acks a request whose listener failed before acking, so Slack never waits for it.
- It hands any exception to the app's error handler itself. Letting Bolt see an exception
  raised right after `ack()` can lose the ack: Bolt resets the acknowledgement while handling
  the error, and Slack then gets a 404 instead of our 200.
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
from bot.runtime.services import ACK_SENT, services
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
    async def tracked(**kwargs: Any) -> Any:
        context = kwargs["context"]
        with services(context).inflight, logs.bind(**request_fields(kwargs["body"], context)):
            sent: asyncio.Event | None = context.get(ACK_SENT)
            acked: list[bool] = []
            turn = services(context).acks.turn
            if "ack" in kwargs:
                kwargs["ack"] = _ack_then_wait(kwargs["ack"], sent, acked, turn)
            elif sent is not None:  # events: Bolt acked before the listener started
                await _wait(sent)
                await turn()
            try:
                return await func(**kwargs)
            except Replayed as copy:
                log.info("a copy of request %s has acted already: nothing done", copy)
                return None
            except Exception as error:
                if "ack" in kwargs and not acked:
                    # It failed before its ack (say, reading a form): Slack still gets its 200
                    # at once, not a 404 after 3 s, and the user the answer below.
                    await kwargs["ack"]()
                await report_error(error, kwargs["body"], kwargs["client"], kwargs["context"])
                return None

    return tracked  # type: ignore[return-value]


def _ack_then_wait(
    ack: Any, sent: asyncio.Event | None, acked: list[bool], turn: Callable[[], Awaitable[None]]
) -> Callable[..., Awaitable[None]]:
    async def ack_then_wait(
        *args: Any, on_sent: Callable[[], None] | None = None, **kwargs: Any
    ) -> None:
        """Bolt's ack; then waits until it is on its way and the work's turn has come.
        `on_sent` is called in between, once the ack is on its way: something to ask for at
        once (a coalesced redraw) rather than after the other requests' acks."""
        acked.append(True)
        await ack(*args, **kwargs)
        if sent is not None:
            await _wait(sent)
        if on_sent is not None:
            on_sent()
        if sent is not None:
            await turn()

    return ack_then_wait


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
