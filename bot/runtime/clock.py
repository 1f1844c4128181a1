"""Where Timebox gets the time: one injected source, so tests and the sandbox can move it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: for tests and the sandbox's time control."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when.astimezone(UTC)


class FileClock:
    """The time written in a file (ISO 8601), re-read at every call: lets a test move the clock
    of real `timebox run` processes (TIMEBOX_CLOCK_FILE; never for production).

    Writers replace the file atomically (`FileClock.write`), so a reader never sees half a time.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        when = datetime.fromisoformat(self.path.read_text().strip())
        if when.tzinfo is None:
            raise ValueError(f"{self.path} must hold an aware time, e.g. 2026-03-02T09:00:00+00:00")
        return when.astimezone(UTC)

    @staticmethod
    def write(path: Path, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FileClock needs an aware datetime")
        partial = path.with_name(path.name + ".new")
        partial.write_text(when.astimezone(UTC).isoformat())
        os.replace(partial, path)
