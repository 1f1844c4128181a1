"""Calibration's records in the database (issue 18, point 6): which sprint items count as a
team's done items, and the migration that gives earlier sprint items when their work began."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from bot.domain.backlog import ItemFields
from storage.db import Database
from tests.sprint_rows import closed_sprint, done_in


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


async def test_done_records_are_the_teams_done_estimated_items_in_its_sprints(store, team, clock):
    other = await store.ensure_team("T0TEAM", "C0OTHER", clock.now())
    sprints = {}
    for owner in (team, other):
        sprints[owner.id] = await closed_sprint(
            store, owner.id, date(2026, 3, 2), date(2026, 3, 13), committed_by=[]
        )
    cases = [  # (team, title, estimate, status, archived, done on)
        (team, "Done", 5.0, "done", False, 4),
        (team, "Done, no estimate", None, "done", False, 4),
        (team, "In the sprint", 5.0, "sprint", False, None),
        (team, "Done, archived", 5.0, "done", True, 4),
        (team, "Done, 3 points", 3.0, "done", False, 5),
        (other, "Another team's", 5.0, "done", False, 4),
    ]
    for owner, title, estimate, status, archived, day in cases:
        item = await store.add_item(
            owner, ItemFields(title=title, estimate=estimate), "U1", clock.now()
        )
        item.status = status
        item.archived_at = clock.now() if archived else None
        done_at = _at(day, 16) if day else None
        await done_in(store, sprints[owner.id], item, 0, _at(2, 8), done_at, started_at=_at(3, 9))
    records = await store.done_records(team.id)
    assert [(r.number, r.title, r.estimate) for r in records] == [
        (5, "Done, 3 points", 3.0),
        (1, "Done", 5.0),
    ]
    [done] = [r for r in records if r.number == 1]
    assert (done.sprint_starts_on, done.added_at, done.started_at, done.done_at) == (
        date(2026, 3, 2),
        _at(2, 8),
        _at(3, 9),
        _at(4, 16),
    )
    assert [r.number for r in await store.done_records(team.id, estimate=5)] == [1]
    assert [r.number for r in await store.done_records(other.id)] == [1], "its own #1"


async def test_the_migration_starts_earlier_items_at_their_first_hours_burnt(empty_database_url):
    db = Database(empty_database_url)
    await db.migrate("0012")
    stamp = "'2026-03-0{} {}:00:00.000000'".format
    async with db.engine.begin() as conn:
        for statement in (
            "INSERT INTO teams (id, workspace_id, channel_id, sprint_weeks, working_days, "
            "next_number, created_at) VALUES (1, 'T1', 'C1', 2, 'mon', 4, '2026-01-01')",
            "INSERT INTO backlog_items (id, team_id, number, title, hypothesis, type, "
            "acceptance_criteria, dependencies, labels, status, rank, created_by, created_at, "
            "updated_at) VALUES "
            "(1, 1, 1, 'Export', '', 'story', '[]', '[]', '[]', 'done', 1, 'U1', "
            "'2026-01-01', '2026-01-01'), "
            "(2, 1, 2, 'Import', '', 'story', '[]', '[]', '[]', 'done', 2, 'U1', "
            "'2026-01-01', '2026-01-01'), "
            "(3, 1, 3, 'Print', '', 'story', '[]', '[]', '[]', 'sprint', 3, 'U1', "
            "'2026-01-01', '2026-01-01')",
            "INSERT INTO sprints (id, team_id, number, status, starts_on, ends_on, goal, "
            "one_thing, focus_factor, hours_per_day, days_off, committed_by, committed_at) "
            f"VALUES (1, 1, 1, 'active', '2026-03-02', '2026-03-13', 'g', '', 0.75, 8, '{{}}', "
            f"'[]', {stamp(2, '09')})",
            "INSERT INTO sprint_items (id, sprint_id, item_id, position, supports_goal, removed, "
            f"added_at, done_at) VALUES (1, 1, 1, 0, true, false, {stamp(1, 15)}, "
            f"{stamp(6, 15)}), (2, 1, 2, 1, true, false, {stamp(1, 15)}, {stamp(5, 12)}), "
            f"(3, 1, 3, 2, true, false, {stamp(1, 15)}, NULL)",
            "INSERT INTO sprint_tasks (id, sprint_item_id, title, hours, done, remaining) VALUES "
            "(1, 1, 'Design', 2, true, 0), (2, 1, 'Build', 6, true, 0), "
            "(3, 2, 'Parse', 3, true, 0), (4, 3, 'Layout', 5, false, 2)",
            "INSERT INTO task_progress (sprint_id, task_id, at, remaining) VALUES "
            f"(1, 1, {stamp(2, '09')}, 2), (1, 2, {stamp(2, '09')}, 6), "
            f"(1, 2, {stamp(4, 10)}, 4), "  # #1: hours burnt on Wednesday
            f"(1, 1, {stamp(6, 15)}, 0), (1, 2, {stamp(6, 15)}, 0), "  # and done
            f"(1, 3, {stamp(2, '09')}, 3), (1, 3, {stamp(5, 12)}, 0), "  # #2: done at once
            f"(1, 4, {stamp(1, 16)}, 4), (1, 4, {stamp(3, 11)}, 2)",  # #3: planned 4h left
        ):
            await conn.execute(text(statement))
    await db.migrate()
    async with db.transaction() as store:
        sprint = await store.sprint_by_id(1)
        assert sprint is not None
        started = {si.id: si.started_at for si in await store.sprint_items(sprint)}
    await db.dispose()
    assert started == {1: _at(4, 10), 2: None, 3: _at(3, 11)}, (
        "the first hours burnt after the commitment, never the close of a done item"
    )
