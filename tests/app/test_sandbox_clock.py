# ruff: noqa: F811  (the page fixture is imported from the sandbox's tests)
"""The sandbox's clock on long moves: work that comes back every few minutes (a tracker's
regular sync) runs at each stop of the clock rather than being a stop of its own, so a move
of up to two weeks (what the page allows) still stops at every one-off due time, and each
reminder, deadline or timer fires at its own time instead of late, or not at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.scheduling import Due
from bot.sandbox.page import make_page
from bot.sandbox.seed import CHANNEL, PO
from tests.app.conftest import START
from tests.app.test_sandbox import Page, page  # noqa: F401
from tests.app.trackers import demo_sandbox

NINE_DAYS = 9 * 24 * 60


@pytest.fixture
async def page_of() -> AsyncIterator[list[TestClient]]:
    """Clients of sandbox pages a test starts (closed after it)."""
    clients: list[TestClient] = []
    yield clients
    for client in clients:
        await client.close()


async def test_a_job_every_five_minutes_does_not_crowd_out_the_one_off_due_times(page, sandbox):
    """Nine days of a 5-minute job are 2,592 due times, more than a move stops at: the move
    used to give up on the way, jump to its end and run the one-off jobs days late."""
    polls: list[datetime] = []
    one_offs: list[tuple[str, timedelta]] = []

    async def poll(due: Due) -> str:  # plans itself again, as a tracker's sync does
        polls.append(due.now)
        async with sandbox.db.transaction() as store:
            when = due.now + timedelta(minutes=5)
            await store.schedule("poll-test", f"poll:{when:%Y%m%dT%H%M%S}", when, {"board": 1})
        return "synced"

    async def one_off(due: Due) -> str:
        one_offs.append((due.key, due.late))
        return "done"

    sandbox.stack.services.jobs.handle("poll-test", poll)
    sandbox.stack.services.jobs.handle("one-off-test", one_off)
    deadline = START + timedelta(days=6, hours=3)  # Monday 8 March, 11:00
    timer = START + timedelta(days=8, hours=1, minutes=30)
    async with sandbox.db.transaction() as store:
        await store.schedule("poll-test", "poll:first", START + timedelta(minutes=5), {"board": 1})
        await store.schedule("one-off-test", "deadline", deadline, {"poll": 7})
        await store.schedule("one-off-test", "timer", timer, {"meeting": 3})

    moved = await page.post("/api/clock", {"minutes": NINE_DAYS})

    assert one_offs == [("deadline", timedelta(0)), ("timer", timedelta(0))], "each on time"
    assert sandbox.clock.now() == START + timedelta(days=9)
    assert moved["now"] == (START + timedelta(days=9)).timestamp()
    assert polls and len(polls) < 20, "the poll ran at the stops, not 2,592 times"
    assert deadline in polls and timer in polls, "once at each stop, being due by then"
    async with sandbox.db.transaction() as store:
        [pending] = [j for j in await store.jobs("poll-test") if j.done_at is None]
    assert pending.due_at == START + timedelta(days=9, minutes=5), "it goes on after the move"


async def test_a_retry_keeps_its_own_time(page, sandbox):
    """Only work planned again under a new key collapses; the same job tried again after a
    failure is a due time of its own."""
    tries: list[datetime] = []

    async def flaky(due: Due) -> str:
        tries.append(due.now)
        if len(tries) == 1:
            raise RuntimeError("Slack said no")
        return "sent"

    sandbox.stack.services.jobs.handle("flaky-test", flaky)
    async with sandbox.db.transaction() as store:
        await store.schedule("flaky-test", "post", START + timedelta(minutes=10), {"post": 1})

    await page.post("/api/clock", {"minutes": 24 * 60})

    first, retry = tries
    assert first == START + timedelta(minutes=10)
    assert timedelta(0) < retry - first < timedelta(hours=1), "retried at its time, not at the end"


async def test_nine_days_with_github_connected_send_each_days_reminder_on_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page_of: list[TestClient]
):
    """`--github` syncs every 5 minutes; `/ready remind at 09:30`, then 9 days ahead on the
    page: the reminders of Monday 9 and Tuesday 10 March go out at 09:30, not skipped as late."""
    async with demo_sandbox(tmp_path, monkeypatch, "github") as sandbox:
        client = TestClient(TestServer(make_page(sandbox), host="127.0.0.1"))
        page_of.append(client)
        await client.start_server()
        await sandbox.command(PO.id, CHANNEL, "/ready remind at 09:30")

        await Page(client).post("/api/clock", {"minutes": NINE_DAYS})

        async with sandbox.db.transaction() as store:
            reminders = [j for j in await store.jobs("readiness_reminder") if j.done_at]
            syncs = [j for j in await store.jobs("tracker_sync") if j.done_at]
        outcomes = {j.due_at.date(): (j.outcome or "").split(":")[0] for j in reminders}
        assert set(outcomes.values()) == {"sent"}, [(j.due_at, j.outcome) for j in reminders]
        assert {date(2026, 3, 9), date(2026, 3, 10)} <= set(outcomes), outcomes
        assert all(j.done_at == j.due_at for j in reminders), "each at 09:30"
        assert len(syncs) < 50, "a sync at each stop, not one every 5 minutes"
        assert sandbox.clock.now() == START + timedelta(days=9)
