"""kill -9 between the Slack answer and a GitHub or Linear write, then a restart: the write is
done once (Jira's own scenario, with its sprint writes, is test_tracker_faults.py).

A real `timebox run` process, connected through the form to the tracker (its emulator), answers
a reorder and an item added in Slack, then is killed while the tracker holds its write: the move
never reaches the tracker (dropped), the create does (the tracker made the issue and the answer
was lost). A new process takes over the same database once the dead one's leases run out: the
item is moved, and the new item is linked to the one issue the tracker made (no second one).
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.github import GitHubEmulator
from bot.emulator.linear import LinearEmulator
from storage.db import Database
from tests.app.trackers import github_form
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


@dataclass(frozen=True)
class Tracker:
    """What differs between the trackers in this scenario."""

    kind: str
    name: str
    emulator: type
    move: str  # the call that reorders
    create: str  # the call that creates an issue
    form: Callable[[Any], dict[str, str]]
    add: Callable[[Any, str], str]  # adds an issue with this title in the emulator: its key
    order: Callable[[Any], list[str]]  # the keys in the tracker's order
    made: Callable[[Any, str], list[str]]  # the keys of the issues with this title
    token: Callable[[Any], str]


GITHUB = Tracker(
    "github",
    "GitHub",
    GitHubEmulator,
    "graphql.updateProjectV2ItemPosition",
    "graphql.createIssue",
    github_form,
    lambda github, title: github.add_issue(title).key,
    lambda github: github.project_keys(),
    lambda github, title: [i.key for i in github.repository.issues.values() if i.title == title],
    lambda github: github.token,
)
LINEAR = Tracker(
    "linear",
    "Linear",
    LinearEmulator,
    "UpdateIssue",
    "CreateIssue",
    lambda linear: {
        "API key": linear.user.api_key,
        "Team key": "ENG",
        "API address": linear.api_url,
    },
    lambda linear, title: linear.add_issue(title).identifier,
    lambda linear: linear.backlog_keys(),
    lambda linear, title: [i.identifier for i in linear.issues.values() if i.title == title],
    lambda linear: linear.user.api_key,
)


@pytest.mark.parametrize("tracker", [GITHUB, LINEAR], ids=lambda t: t.kind)
async def test_a_write_cut_off_by_a_kill_is_done_once_after_the_restart(
    tracker: Tracker, empty_database_url, tmp_path
):
    async with world_with(tmp_path, tracker.emulator) as (slack, remote, clock):
        keys = [tracker.add(remote, f"Story {n}") for n in range(1, 5)]
        runs = relaunches(slack, remote, clock, empty_database_url, tmp_path)
        db = Database(empty_database_url)
        instance = await runs.start()
        try:
            answer = await connect_by_form(instance, slack, tracker.kind, tracker.form(remote))
            assert f"is connected to {tracker.name}" in answer, answer
            await until(lambda: keys_are(db, keys), "the import")

            # -- 1. a reorder: its move never reaches the tracker ---------------------------
            instance = await killed_during(
                runs,
                instance,
                slack,
                remote,
                "move 4 top",
                "moved",
                route=tracker.move,
                applied=False,
            )
            clock.set(START + timedelta(minutes=3))  # past the dead process's lease
            moved = [keys[3], *keys[:3]]
            await until(lambda: tracker.order(remote)[:4] == moved, "the move in the tracker")

            # -- 2. an item added in Slack: the tracker makes the issue, its answer is lost --
            instance = await killed_during(
                runs,
                instance,
                slack,
                remote,
                "add Apple Pay",
                "Apple Pay",
                route=tracker.create,
                applied=True,
            )
            clock.set(START + timedelta(minutes=6))
            made = tracker.made(remote, "Apple Pay")
            await until(lambda: linked_once(db, made), "the item linked to the issue made")

            # -- exactly once -----------------------------------------------------------------
            assert len([c for c in remote.calls_to(tracker.move) if c.dropped]) == 1
            assert tracker.order(remote)[:4] == moved
            assert len(made) == 1, "one issue, though the create was cut off"
            assert len(remote.calls_to(tracker.create)) == 1, "looked before creating again"
            assert slack.problems == []
        finally:
            await db.dispose()
            code = await instance.stop()
        assert code == 0
        assert_logs_clean(instance, runs, tmp_path, tracker.token(remote))
