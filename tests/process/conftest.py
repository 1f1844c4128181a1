"""The Slack emulator the single-process tests run `timebox run` against."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator.server import SlackEmulator


@pytest.fixture
async def emulator() -> AsyncIterator[SlackEmulator]:
    """Paula in one channel; started, and stopped after the test."""
    em = SlackEmulator()
    em.add_user("U1", "paula", tz="Europe/Berlin")
    em.add_channel("C1", "team", members=["U1"])
    await em.start()
    yield em
    await em.stop()
