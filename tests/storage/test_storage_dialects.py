"""What differs between SQLite and PostgreSQL is hidden by storage/: the same text and the
same aware times come back from both (each test runs on both backends when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.domain.backlog import ItemFields


async def test_text_with_a_nul_character_is_kept_readable_on_both(store, team, clock):
    item = await store.add_item(team, ItemFields(title="nul\x00byte"), "U1", clock.now())
    await store.session.flush()
    await store.session.refresh(item)  # as the database has it
    assert item.title == "nul\ufffdbyte", "PostgreSQL cannot hold NUL; neither backend does"


async def test_times_come_back_aware_and_in_utc_whatever_zone_went_in(store, clock):
    berlin = timezone(timedelta(hours=1))
    due = datetime(2026, 3, 2, 10, 0, tzinfo=berlin)
    await store.schedule("ping", "ping:1", due, {"at": "10:00 in Berlin"})
    assert [job.key for job in await store.claim_due(due, "w:1", timedelta(minutes=2), 5)] == [
        "ping:1"
    ]
    await store.session.flush()
    job = await store.scheduled("ping:1")
    await store.session.refresh(job)  # as the database has it
    assert job.due_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC) and job.due_at.tzinfo is not None
    assert job.claimed_until == due + timedelta(minutes=2)
