"""HTTP mode's access log names each request's route, never its path or query: a calendar
feed's secret address, a tracker webhook's token and OAuth's code never reach the logs.

Before, aiohttp's default access log wrote every request line whole."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

import aiohttp
import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_calendar_slack import _feed_url, _get, say, team


async def test_the_access_log_names_routes_not_secret_paths(
    slack: LocalStack, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    await team(slack)
    url = _feed_url(await say(slack, "/timebox", "calendar feed"))
    token = urlparse(url).path.removeprefix("/calendar/").removesuffix(".ics")
    assert (await _get(slack, url))[0] == 200
    async with aiohttp.ClientSession() as http:
        hook = f"{slack.url}/trackers/jira/hook-secret-123"
        async with http.post(hook, data=b"{}") as answer:
            assert answer.status >= 400  # no such connection: refused
        async with http.get(f"{slack.url}/nowhere/else-secret-456?code=oauth-789") as answer:
            assert answer.status == 404

    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any(line.startswith("GET /calendar/{token}.ics 200") for line in logged), logged
    assert any(line.startswith("POST /trackers/{kind}/{token} ") for line in logged), logged
    assert any(line.startswith("GET (no route) 404") for line in logged), logged
    for secret in (token, "hook-secret-123", "else-secret-456", "oauth-789"):
        assert all(secret not in line for line in logged), (secret, logged)
