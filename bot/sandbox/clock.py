"""The sandbox's time: real time plus however far the newcomer has jumped ahead.

A frozen clock would stamp every message with the same minute, and a plain system clock
would make a newcomer wait five real minutes to see a timer fire. So time flows as usual and
the page's controls add to an offset; it never goes backwards, because the bot's scheduled
work and Slack's message timestamps both assume that time only moves forward.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _system_now() -> datetime:
    return datetime.now(UTC)


class SandboxClock:
    """A runtime `Clock` that the sandbox can move forward; ``base`` is injected in tests."""

    def __init__(self, base: Callable[[], datetime] = _system_now) -> None:
        self._base = base
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return (self._base() + self._offset).astimezone(UTC)

    @property
    def offset(self) -> timedelta:
        """How far ahead of the base clock the sandbox is."""
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += delta
        return self.now()

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (aware); a time in the past is refused."""
        if when.tzinfo is None:
            raise ValueError("SandboxClock needs an aware datetime")
        return self.advance(when - self.now())

    def next_morning(self, zone: str, at: time = time(9, 0)) -> datetime:
        """Tomorrow at ``at`` in ``zone`` (the viewing user's time zone), as UTC."""
        tz = ZoneInfo(zone)
        tomorrow = self.now().astimezone(tz).date() + timedelta(days=1)
        return datetime.combine(tomorrow, at, tzinfo=tz).astimezone(UTC)
