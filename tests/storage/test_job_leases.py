"""Several job runners on one database (as several instances are): each job runs once, a slow
job keeps its lease while it runs, and a lost claim never marks newer work done."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace

from bot.runtime.scheduling import Due, JobRunner
from bot.usecases.housekeeping import HOUSEKEEPING, housekeeping


class Blocking:
    """A handler that runs until the test releases it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, due: Due) -> str:
        self.started.set()
        await self.release.wait()
        return f"{self.name} attempt {due.attempts}"


async def test_three_runners_sweeping_together_run_every_job_exactly_once(db, clock):
    ran: Counter[str] = Counter()

    async def count(due: Due) -> str:
        ran[due.key] += 1
        await asyncio.sleep(0)  # let the other runners claim meanwhile
        return "ok"

    runners = [JobRunner(db, clock, worker=f"instance-{n}", concurrency=8) for n in range(3)]
    for runner in runners:
        runner.handle("ping", count)
    async with db.transaction() as store:
        for n in range(150):
            await store.schedule("ping", f"ping:{n}", clock.now(), {})
    totals = await asyncio.gather(*(runner.run_due() for runner in runners))
    assert sum(totals) == 150 and len(ran) == 150 and set(ran.values()) == {1}
    async with db.transaction() as store:
        assert await store.pending("ping") == []


async def test_a_job_that_outlives_its_lease_is_not_run_again_while_it_runs(db, clock):
    slow = Blocking("slow")
    first = JobRunner(db, clock, worker="first", lease=timedelta(minutes=2))
    first.handle("export", slow)
    other = JobRunner(db, clock, worker="other")
    other.handle("export", Blocking("other"))
    async with db.transaction() as store:
        await store.schedule("export", "export:1", clock.now(), {})
    running = asyncio.create_task(first.run_due())
    await slow.started.wait()
    clock.advance(timedelta(minutes=3))  # past the lease taken at the start
    assert await first.renew_leases() == 1, "the running job's lease is renewed"
    assert await other.run_due() == 0, "another instance leaves it alone"
    slow.release.set()
    assert await running == 1
    async with db.transaction() as store:
        job = await store.scheduled("export:1")
        assert job.outcome == "slow attempt 1" and job.done_at is not None


async def test_a_stalled_worker_is_taken_over_and_its_late_finish_changes_nothing(db, clock):
    stalled = Blocking("stalled")
    first = JobRunner(db, clock, worker="first")
    first.handle("export", stalled)
    survivor = Blocking("survivor")
    survivor.release.set()
    second = JobRunner(db, clock, worker="second")
    second.handle("export", survivor)
    async with db.transaction() as store:
        await store.schedule("export", "export:1", clock.now(), {})
    running = asyncio.create_task(first.run_due())
    await stalled.started.wait()
    clock.advance(timedelta(minutes=3))  # no renewal: as if the first process had died
    assert await second.run_due() == 1
    stalled.release.set()
    await running
    async with db.transaction() as store:
        job = await store.scheduled("export:1")
        assert job.outcome == "survivor attempt 2", "the stale claim could not overwrite it"


async def test_work_rescheduled_while_its_job_runs_stays_pending(db, clock):
    busy = Blocking("timer")
    runner = JobRunner(db, clock)
    runner.handle("timer", busy)
    async with db.transaction() as store:
        await store.schedule("timer", "meeting:1:up", clock.now(), {"v": 1})
    running = asyncio.create_task(runner.run_due())
    await busy.started.wait()
    later = clock.now() + timedelta(minutes=5)
    async with db.transaction() as store:  # the facilitator extends the section meanwhile
        await store.schedule("timer", "meeting:1:up", later, {"v": 2})
    busy.release.set()
    assert await running == 1
    async with db.transaction() as store:
        job = await store.scheduled("meeting:1:up")
        assert job.done_at is None and job.due_at == later and job.attempts == 0
    clock.set(later)
    busy.release.set()
    assert await runner.run_due() == 1


async def test_housekeeping_forgets_old_deliveries_and_old_finished_work_once_a_day(db, clock):
    runner = JobRunner(db, clock)
    services = SimpleNamespace(db=db, clock=clock)
    runner.handle(HOUSEKEEPING, partial(housekeeping, services))
    async with db.transaction() as store:
        await store.first_deliveries(
            [
                {"key": "event:old", "at": clock.now() - timedelta(days=2)},
                {"key": "event:new", "at": clock.now()},
            ]
        )
        await store.schedule("ping", "ping:old", clock.now() - timedelta(days=9), {})
        await store.schedule("ping", "ping:later", clock.now() + timedelta(days=30), {})
        [old] = await store.claim_due(clock.now(), "w:1", timedelta(minutes=2), 10)
        await store.finish(old.id, "w:1", clock.now() - timedelta(days=8), "done long ago")
        await store.schedule_once(HOUSEKEEPING, "housekeeping:today", clock.now(), {})
    assert await runner.run_due() == 1
    async with db.transaction() as store:
        again = [{"key": key, "at": clock.now()} for key in ("event:old", "event:new")]
        assert await store.first_deliveries(again) == {"event:old"}, "the old one forgotten"
        keys = [job.key for job in await store.jobs()]
        assert "ping:old" not in keys and "ping:later" in keys
        [tomorrow] = await store.pending(HOUSEKEEPING)
        assert tomorrow.due_at == datetime(2026, 3, 3, 3, 0, tzinfo=UTC), "tomorrow at 03:00"
