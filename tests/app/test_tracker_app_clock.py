"""The tracker clients the running app opens read a rate limit's reset on the app's clock, not
the wall clock: a tracker that says "the budget resets at T" is waited for ``T - app now``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.trackers import TrackerError, TrackerErrorKind
from bot.emulator.stack import LocalStack
from bot.runtime.secrets import Secret
from bot.trackers.http import Reply
from bot.usecases import tracker as tracker_uc
from tests.app.trackers import started_beside


async def test_linear_opened_by_the_app_waits_for_a_reset_on_the_app_clock(
    slack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    linear = await started_beside(slack, "linear", monkeypatch)
    linear.seed(3)
    spec = tracker_uc.BoardSpec("linear", linear.api_url, 0, "ENG", Secret(linear.user.api_key))
    async with tracker_uc.open_tracker(spec) as client:
        await client.team()
        linear.rate_limit_next(route="BacklogIssues", reset_in=600)
        with pytest.raises(TrackerError) as limited:
            await client.backlog_page()

    assert limited.value.kind is TrackerErrorKind.RATE_LIMITED
    assert limited.value.retry_after == 600
    assert "asks to wait 600 seconds" in str(limited.value)


async def test_jira_opened_by_the_app_reads_its_rate_limit_reset_on_the_app_clock(
    slack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jira's ``X-RateLimit-Reset`` (a time, when no ``Retry-After`` comes with a 429)."""
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", "jira.corp.example")
    site = "https://jira.corp.example"
    spec = tracker_uc.BoardSpec("jira", site, 1, "po@example.com", Secret("token"))
    reset = slack.clock.now() + timedelta(minutes=10)
    limited = Reply(429, {"X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ")})

    async with tracker_uc.open_tracker(spec) as client:
        assert client._wait_asked(limited, 1) == 600
