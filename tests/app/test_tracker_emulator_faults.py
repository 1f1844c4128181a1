"""The tracker emulators fail a share of calls alike (``fail_rate``, one for all three): each
with its vendor's usual status unless told, and the REST ones (Jira, GitHub) with the
``Retry-After`` they are given."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.emulator.github import GitHubEmulator
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator

VIEWER = {"query": "query Viewer { viewer { id } }"}


async def _status(http: aiohttp.ClientSession, em: Any) -> tuple[int, str | None]:
    """One call, unauthenticated (a planned fault answers before the credentials are read)."""
    if isinstance(em, LinearEmulator):
        call = http.post(em.api_url, json=VIEWER)
    else:
        call = http.get(
            f"{em.url}{'/user' if isinstance(em, GitHubEmulator) else '/rest/api/3/myself'}"
        )
    async with call as answer:
        return answer.status, answer.headers.get("Retry-After")


@pytest.mark.parametrize(
    ("emulator", "usual"), [(JiraEmulator, 503), (GitHubEmulator, 502), (LinearEmulator, 503)]
)
async def test_a_share_of_calls_fails_with_the_vendors_usual_status(
    emulator: type[Any], usual: int
) -> None:
    async with emulator() as em, aiohttp.ClientSession() as http:
        em.fail_rate(1.0, seed=3)
        assert [(await _status(http, em))[0] for _ in range(3)] == [usual] * 3


@pytest.mark.parametrize("emulator", [JiraEmulator, GitHubEmulator])
async def test_a_rest_emulators_failures_say_when_to_try_again(emulator: type[Any]) -> None:
    async with emulator() as em, aiohttp.ClientSession() as http:
        em.fail_rate(1.0, 503, retry_after=2)
        assert await _status(http, em) == (503, "2")
