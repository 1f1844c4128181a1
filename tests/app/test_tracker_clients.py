"""What every tracker client must do alike, each against its local emulator: one test a
scenario, run for each tracker, and a table of what is each tracker's own (the routes that
answer who is signed in, search for changes and create an issue, how many tries, what the
account shows).

Nothing here waits for real time: retries go through an injected sleep that only records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.domain import trackers
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator
from bot.runtime.clock import ManualClock
from bot.trackers.http import RetryPolicy
from tests.app import trackers as shared
from tests.app.test_jira_client import jira_client
from tests.app.test_linear_client import linear_client
from tests.app.trackers import Sleeps


@dataclass(frozen=True)
class Tracker:
    """A tracker under test: its emulator, how a client of it is made, and what it answers."""

    name: str  # as its words name it
    emulator: Callable[..., Any]
    client: Callable[..., Any]  # (emulator, **settings) -> client
    account_route: str  # the call that says who is signed in
    account: Callable[[Any], tuple[str, str]]  # what the account shows of the user
    shown: tuple[str, str]
    attempts: int  # tries before giving up, with waits capped at 5 seconds between
    waits: list[float]
    ready: Callable[[Any], Awaitable[Any]]  # what a client reads before it works
    changes_route: str  # the search for changed issues
    create_route: str
    titles: Callable[[Any], list[str]]  # the issues' titles in the emulator


TRACKERS = {
    "jira": Tracker(
        "Jira",
        JiraEmulator,
        jira_client,
        "myself",
        lambda account: (account.user.email, account.time_zone),
        ("po@example.com", "Europe/Berlin"),
        attempts=8,
        waits=[1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0],
        ready=lambda client: client.board(),
        changes_route="search.jql",
        create_route="issue.create",
        titles=lambda em: [i.summary for i in em.issues.values()],
    ),
    "linear": Tracker(
        "Linear",
        LinearEmulator,
        linear_client,
        "Viewer",
        lambda account: (account.email, account.name),
        ("po@example.com", "Paula Owner"),
        attempts=6,
        waits=[1.0, 2.0, 4.0, 5.0, 5.0],
        ready=lambda client: client.team(),
        changes_route="ChangedIssues",
        create_route="CreateIssue",
        titles=lambda em: [i.title for i in em.issues.values()],
    ),
}


@dataclass(frozen=True)
class Running:
    tracker: Tracker
    em: Any  # the tracker's emulator, running
    make_client: Callable[..., Any]  # as a client module's ``make_client`` fixture


@pytest.fixture(params=list(TRACKERS))
async def running(
    request: pytest.FixtureRequest, clock: ManualClock, sleeps: Sleeps
) -> AsyncIterator[Running]:
    tracker = TRACKERS[request.param]
    async with (
        tracker.emulator(now=clock.now) as em,
        shared.making_clients(em, tracker.client, clock, sleeps) as making,
    ):
        yield Running(tracker, em, making)


async def ready_client(running: Running, sleeps: Sleeps, retry: RetryPolicy) -> Any:
    """A client that has read what it needs, under ``retry``: only what comes next counts its
    waits (on a loaded machine a first call may have outlasted a short timeout and been
    retried)."""
    client = running.make_client(retry=retry)
    await running.tracker.ready(client)
    sleeps.waits.clear()
    return client


async def test_the_client_is_a_tracker(running: Running) -> None:
    assert isinstance(running.make_client(), trackers.Tracker)


async def test_5xx_is_retried_with_exponential_backoff(running: Running, sleeps: Sleeps) -> None:
    tracker = running.tracker
    client = running.make_client()

    account = await shared.account_after_5xx(running.em, client, sleeps, tracker.account_route)

    assert tracker.account(account) == tracker.shown


async def test_5xx_gives_up_after_the_last_try_in_plain_words(
    running: Running, sleeps: Sleeps
) -> None:
    tracker = running.tracker
    client = running.make_client(
        retry=RetryPolicy(attempts=tracker.attempts, max_delay=5.0, timeout=5)
    )

    down = await shared.gives_up_on_5xx(
        running.em, client, tracker.account_route, attempts=tracker.attempts
    )

    assert str(down) == (
        f"{tracker.name} had a problem of its own (HTTP 502) when asked to confirm which "
        f"account this is, {tracker.attempts} times in a row. Timebox will try again later."
    )
    assert sleeps.waits == tracker.waits  # capped


async def test_a_timeout_is_retried_and_then_said_plainly(
    running: Running, sleeps: Sleeps, clock: ManualClock
) -> None:
    tracker, em = running.tracker, running.em
    client = await ready_client(running, sleeps, RetryPolicy(attempts=3, timeout=0.2))
    em.delay_next(30, route=tracker.changes_route, times=3)

    with pytest.raises(trackers.TrackerError) as slow:
        await client.changes_page(clock.now())

    assert slow.value.kind is trackers.TrackerErrorKind.TIMEOUT and slow.value.retryable
    assert sleeps.waits == [1.0, 2.0]
    assert [c.held for c in em.calls_to(tracker.changes_route)] == [30, 30, 30]
    assert str(slow.value) == (
        f"{tracker.name} did not answer within 0.2 seconds, 3 times in a row, when asked to "
        "search for changed issues. Timebox will try again later."
    )


async def test_a_create_that_timed_out_may_have_happened(running: Running, sleeps: Sleeps) -> None:
    tracker = running.tracker
    client = await ready_client(running, sleeps, RetryPolicy(timeout=0.2))
    running.em.delay_next(30, route=tracker.create_route, applied=True)

    slow = await shared.create_refused(client, sleeps, trackers.TrackerErrorKind.TIMEOUT)

    assert "may have done it anyway" in str(slow)
    assert tracker.titles(running.em) == ["Pay by card"]  # it did
