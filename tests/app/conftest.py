"""Fixtures of the sandbox tests (the page's JSON API and the browser's), on a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
