"""What every tracker client must do alike, each against its local emulator: one test a
scenario, run for each tracker, and a table of what is each tracker's own (the route that
answers who is signed in, how many tries, what the account shows).

Nothing here waits for real time: retries go through an injected sleep that only records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
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
