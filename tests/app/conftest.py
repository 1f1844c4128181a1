"""Fixtures shared by the app tests: the sandbox on a fixed clock, and the tracker clients'
recorded waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.runtime.clock import ManualClock
from bot.sandbox.clock import SandboxClock
from bot.sandbox.server import Sandbox

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def fixed_clock() -> SandboxClock:
    return SandboxClock(base=lambda: START)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The seeded sandbox, started on a fixed clock with no ticker: tests move time."""
    running = await Sandbox(tmp_path / "sandbox.db", clock=fixed_clock(), tick=None).start()
    yield running
    await running.stop()


class Sleeps:
    """An injected sleep: remembers what it was asked to wait, and returns at once (or moves
    the manual clock by as much, when given one: an emulator's budget then refills)."""

    def __init__(self, clock: ManualClock | None = None) -> None:
        self.waits: list[float] = []
        self.clock = clock

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.clock is not None:
            self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
def sleeps() -> Sleeps:
    """A tracker client's waits, recorded instead of slept."""
    return Sleeps()
