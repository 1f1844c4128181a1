"""Due work kept as rows: run once when due, retried after a failure, taken over after a crash."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime.scheduling import Due, JobRunner


async def test_due_work_runs_once_and_future_work_waits(db, clock):
    runner = JobRunner(db, clock, worker="w1")
    seen: list[Due] = []

    async def handler(due: Due) -> str:
        seen.append(due)
        return "done"

    runner.handle("ping", handler)
    async with db.transaction() as store:
        await store.schedule("ping", "ping:1", clock.now(), {"n": 1})
        await store.schedule("ping", "ping:2", clock.now() + timedelta(minutes=5), {"n": 2})
    assert await runner.run_due() == 1
    assert await runner.run_due() == 0, "done work never runs again"
    clock.advance(timedelta(minutes=5))
    assert await runner.run_due() == 1
    assert [d.payload["n"] for d in seen] == [1, 2]
    async with db.transaction() as store:
        job = await store.scheduled("ping:1")
        assert job.done_at is not None and job.outcome == "done" and job.attempts == 1


async def test_rescheduling_a_pending_key_moves_it(db, clock):
    runner = JobRunner(db, clock)
    ran = []
    runner.handle("ping", lambda due: _record(ran, due))
    async with db.transaction() as store:
        await store.schedule("ping", "k", clock.now(), {"v": 1})
        await store.schedule("ping", "k", clock.now() + timedelta(hours=1), {"v": 2})
    assert await runner.run_due() == 0
    clock.advance(timedelta(hours=1))
    assert await runner.run_due() == 1 and ran == [2]


async def _record(ran: list, due: Due) -> None:
    ran.append(due.payload["v"])


async def test_a_failing_job_is_retried_with_backoff_then_given_up(db, clock):
    runner = JobRunner(db, clock)
    attempts = []

    async def flaky(due: Due) -> str:
        attempts.append(due.attempts)
        if due.attempts < 3:
            raise RuntimeError("Slack is down")
        return "delivered"

    runner.handle("flaky", flaky)
    async with db.transaction() as store:
        await store.schedule("flaky", "f", clock.now(), {})
    assert await runner.run_due() == 1
    assert await runner.run_due() == 0, "a retry waits for its backoff"
    clock.advance(timedelta(seconds=10))
    await runner.run_due()
    clock.advance(timedelta(seconds=40))
    await runner.run_due()
    assert attempts == [1, 2, 3]
    async with db.transaction() as store:
        assert (await store.scheduled("f")).outcome == "delivered"


async def test_work_claimed_by_a_dead_worker_is_taken_over_after_its_lease(db, clock):
    async with db.transaction() as store:
        await store.schedule("ping", "p", clock.now(), {})
        claimed = await store.claim_due(clock.now(), "dead", timedelta(minutes=2), 10)
        assert [j.key for j in claimed] == ["p"]
    survivor = JobRunner(db, clock, worker="alive")
    ran = []
    survivor.handle("ping", lambda due: _record_key(ran, due))
    assert await survivor.run_due() == 0, "the lease still holds"
    clock.advance(timedelta(minutes=3))
    assert await survivor.run_due() == 1 and ran == ["p"]


async def _record_key(ran: list, due: Due) -> None:
    ran.append(due.key)
