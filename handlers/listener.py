"""The decorator every listener wears.

It counts the listener's work as in flight (shutdown and tests wait for it) and hands any
exception to the app's error handler itself. Letting Bolt see an exception raised right after
`ack()` can lose the ack: Bolt resets the acknowledgement while handling the error, and Slack
then gets a 404 instead of our 200.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

from bot.services import services
from handlers.errors import report_error

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
NEEDED = {"body", "client", "context"}


def listener(func: F) -> F:
    missing = NEEDED - set(inspect.signature(func).parameters)
    if missing:
        raise TypeError(f"{func.__name__} must accept {', '.join(sorted(missing))}")

    @wraps(func)
    async def tracked(**kwargs: Any) -> Any:
        with services(kwargs["context"]).inflight:
            try:
                return await func(**kwargs)
            except Exception as error:
                await report_error(error, kwargs["body"], kwargs["client"], kwargs["context"])
                return None

    return tracked  # type: ignore[return-value]
