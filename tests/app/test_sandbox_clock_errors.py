# ruff: noqa: F811  (the page fixture is imported from the sandbox's tests)
"""The sandbox page's clock route answers every number it is given with the page's JSON
error, never aiohttp's bare 500 page: a step too large for a timedelta (1e308 minutes,
infinity) is refused as two weeks are, and the clock does not move."""

from __future__ import annotations

import pytest

from tests.app.conftest import START
from tests.app.test_sandbox import Page, page  # noqa: F401


@pytest.mark.parametrize("minutes", [1e308, "inf", "1e30"])
async def test_a_step_past_any_clock_is_refused_with_the_pages_error(page: Page, minutes):
    """`{"minutes": 1e308}` overflowed timedelta and the page got "500 Internal Server
    Error / Server got itself in trouble" instead of a line it can show."""
    refused = await page.post("/api/clock", {"minutes": minutes}, status=400)
    assert refused == {"error": "move the clock by two weeks at most at a time"}
    screen = await page.screen("U0INES")
    assert screen["now"] == START.timestamp(), "the clock did not move"
