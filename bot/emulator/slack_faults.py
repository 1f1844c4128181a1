"""What tests make Slack do wrong, a mixin on the workspace: the next calls of a method
failing (429 with ``Retry-After``, ``ok: false``, 5xx), held for a while (answered late, or
dropped if the bot hangs up), or their connection reset; and rate limits per method (and
channel) over a sliding minute of ``now()``. ``_dispatch`` and ``_handle_api`` take them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.emulator.slack_workspace import SlackWorkspace

RATE_WINDOW = 60.0


@dataclass
class PlannedFault:
    """A failure ``fail_next`` planned for the next ``remaining`` calls of a method."""

    status: int
    retry_after: int
    error: str
    remaining: int


@dataclass
class PlannedDelay:
    """A hold ``delay_next`` planned for the next ``remaining`` calls of a method."""

    seconds: float
    applied: bool
    remaining: int
    match: Callable[[dict[str, Any]], bool] | None = None


_Planned = TypeVar("_Planned", PlannedFault, PlannedDelay)


def _take_one(queue: deque[_Planned]) -> _Planned:
    """The next planned fault or delay of a method, used once more (gone when used up)."""
    planned = queue[0]
    planned.remaining -= 1
    if planned.remaining <= 0:
        queue.popleft()
    return planned


@dataclass
class RateLimit:
    """A method's limit from ``rate_limit``, and the times of its calls (per channel)."""

    per_minute: int
    per_channel: bool
    hits: dict[str | None, deque[float]] = field(default_factory=dict)


class SlackFaults(SlackWorkspace):
    """fail_next, delay_next, disconnect_next and rate_limit, and taking what they plan."""

    _faults: dict[str, deque[PlannedFault]]
    _delays: dict[str, deque[PlannedDelay]]
    _hang_ups: dict[str, int]
    _limits: dict[str, RateLimit]

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a failure.

        429: ``Retry-After`` header and ``ratelimited``; 200: ``{"ok": false, "error": error}``
        (default ``fatal_error``); 5xx: that status with ``internal_error``.
        """
        if error is None:
            error = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
        self._faults.setdefault(method, deque()).append(
            PlannedFault(status, retry_after, error, times)
        )

    def delay_next(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        applied: bool = True,
        match: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` of real time, for
        tests that stop the bot while Slack is busy with its request.

        ``applied=True``: Slack does the work at once and only the answer is late (the bot
        may never learn that its message was posted). ``applied=False``: the request waits,
        and if the bot hangs up meanwhile it is dropped as if it never reached Slack.
        ``match``: only calls whose arguments it accepts are held (and counted).
        """
        self._delays.setdefault(method, deque()).append(
            PlannedDelay(seconds, applied, times, match)
        )

    def disconnect_next(self, method: str, times: int = 1) -> None:
        """Drop the connection of the next ``times`` calls of ``method`` without an answer
        (and without doing them), as a load balancer resetting a connection does."""
        self._hang_ups[method] = self._hang_ups.get(method, 0) + times

    def _take_delay(self, method: str, args: dict[str, Any]) -> PlannedDelay | None:
        queue = self._delays.get(method)
        if not queue or (queue[0].match is not None and not queue[0].match(args)):
            return None
        return _take_one(queue)

    def rate_limit(self, method: str, per_minute: int, per_channel: bool = True) -> None:
        """Allow ``per_minute`` calls of ``method`` in any 60 s of ``now()`` (per channel when
        ``per_channel``); beyond that answer 429 with ``Retry-After``, like Slack's tiers."""
        self._limits[method] = RateLimit(per_minute, per_channel)

    def _take_fault(self, method: str) -> PlannedFault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        return _take_one(queue)

    def _rate_limited(self, method: str, args: Mapping[str, Any]) -> int | None:
        """Seconds to wait if this call is over the limit, else None (and count the call)."""
        limit = self._limits.get(method)
        if limit is None:
            return None
        key = str(args.get("channel") or "") if limit.per_channel else None
        hits = limit.hits.setdefault(key, deque())
        now = self.epoch()
        while hits and hits[0] <= now - RATE_WINDOW:
            hits.popleft()
        if len(hits) >= limit.per_minute:
            return max(1, math.ceil(hits[0] + RATE_WINDOW - now))
        hits.append(now)
        return None
