"""kill -9 between the Slack answer and the Linear write, then a restart: the write is done once.

A real `timebox run` process, connected to a Linear team (the emulator) through the form,
answers a reorder and an item added in Slack, then is killed while Linear holds its write: the
move never reaches Linear (dropped), the create does (Linear made the issue and the answer was
lost). A new process takes over the same database once the dead one's leases run out: the item
is moved, and the new item is linked to the one issue Linear made (no second one). On SQLite and
on PostgreSQL. The scenario's plumbing: test_tracker_faults.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.emulator.linear import LinearEmulator
from storage.db import Database
from tests.fleet import until
from tests.process.test_tracker_faults import (
    START,
    assert_logs_clean,
    connect_by_form,
    keys_are,
    killed_during,
    linked_once,
    relaunches,
    world_with,
)

MOVE = "UpdateIssue"
CREATE = "CreateIssue"


@pytest.fixture
async def world(tmp_path):
    async with world_with(tmp_path, LinearEmulator) as started:
        yield started


async def test_a_linear_write_cut_off_by_a_kill_is_done_once_after_the_restart(
    world, empty_database_url, tmp_path
):
    slack, linear, clock = world
    keys = [linear.add_issue(f"Story {n}").identifier for n in range(1, 5)]
    runs = relaunches(slack, linear, clock, empty_database_url, tmp_path)
    db = Database(empty_database_url)
    instance = await runs.start()
    form = {"API key": linear.user.api_key, "Team key": "ENG", "API address": linear.api_url}
    try:
        answer = await connect_by_form(instance, slack, "linear", form)
        assert "is connected to Linear" in answer, answer
        await until(lambda: keys_are(db, keys), "the import")

        # -- 1. a reorder: its move never reaches Linear ------------------------------------
        instance = await killed_during(
            runs, instance, slack, linear, "move 4 top", "moved", route=MOVE, applied=False
        )
        clock.set(START + timedelta(minutes=3))  # past the dead process's lease
        await until(lambda: linear.backlog_keys() == [keys[3], *keys[:3]], "the move in Linear")

        # -- 2. an item added in Slack: Linear makes the issue, its answer is lost ------------
        instance = await killed_during(
            runs, instance, slack, linear, "add Apple Pay", "Apple Pay", route=CREATE, applied=True
        )
        clock.set(START + timedelta(minutes=6))
        made = [i.identifier for i in linear.issues.values() if i.title == "Apple Pay"]
        await until(lambda: linked_once(db, made), "the item linked to the issue Linear made")

        # -- exactly once ---------------------------------------------------------------------
        assert len([c for c in linear.calls_to(MOVE) if c.dropped]) == 1
        assert linear.backlog_keys()[:4] == [keys[3], *keys[:3]]
        assert len(made) == 1, "one issue, though the create was cut off"
        assert len(linear.calls_to(CREATE)) == 1, "looked before creating again"
        assert slack.problems == []
    finally:
        await db.dispose()
        code = await instance.stop()
    assert code == 0
    assert_logs_clean(instance, runs, tmp_path, linear.user.api_key)
