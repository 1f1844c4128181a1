# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A sprint committed in Timebox reaches the tracker's sprint as Timebox has it, through the real
app and the emulators: a same-named sprint someone made there first is reused and given the
sprint's goal and dates, and a sprint committed ahead of its slot (``sprints.started``) is
not started there until its slot begins, when the same sprint write runs again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import tracker_sprints
from bot.usecases import sprints
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import board  # noqa: F401
from tests.app.test_tracker_sync import committed_sprint, connect, jira, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, later
from tests.conftest import CHANNEL

AHEAD = 13  # days from today to the slot's first day


async def test_a_sprint_made_in_jira_first_gets_the_goal_and_starts_with_its_slot(slack, jira):
    keys = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        upcoming = (await sprints.upcoming(store, team, slack.clock.now())).number
    theirs = jira.add_sprint(tracker_sprints.sprint_name(upcoming), state="future")

    sprint_id = await committed_sprint(slack, keys[:1], "Take card payments", ahead_days=AHEAD)
    await drain(slack)

    assert theirs.goal == "Take card payments", "the goal written on the sprint reused"
    assert theirs.state == "future", "not started before its slot"
    assert theirs.start is not None and theirs.end is not None, "its dates written"
    assert jira.sprint_keys(theirs.id) == keys[:1]
    async with slack.db.transaction() as store:
        link = await store.sprint_link(sprint_id)
        assert (link.remote_id, link.state) == (str(theirs.id), "future")
        sprint = await store.sprint_by_id(sprint_id)
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        start, _ = tracker_sprints.sprint_times(sprint.starts_on, sprint.ends_on, team.timezone)
    assert len([s for s in jira.sprints.values() if s.board_id == theirs.board_id]) == 1

    await later(slack, (start - slack.clock.now()).total_seconds() - 60)
    assert theirs.state == "future", "still not started a minute before the slot's first morning"
    await later(slack, 60)
    assert theirs.state == "active", "started when the slot begins"
    async with slack.db.transaction() as store:
        assert (await store.sprint_link(sprint_id)).state == "active"
    assert [c for c in jira.calls if c.status >= 400] == []


def made_there(em: Any, name: str, slot: datetime) -> str:
    """A sprint named `name` someone made in the tracker, a week after `slot` begins; its id."""
    kind = type(em).__name__
    if kind == "JiraEmulator":
        return str(em.add_sprint(name, state="future").id)
    if kind == "GitHubEmulator":
        return em.add_iteration(name, (slot + timedelta(days=7)).date()).id
    return em.add_cycle(slot + timedelta(days=7), slot + timedelta(days=21), name=name).id


def named_there(em: Any, name: str) -> list[tuple[str, str]]:
    """(goal, first day) of each of the tracker's sprints named `name`."""
    kind = type(em).__name__
    if kind == "JiraEmulator":
        return [(s.goal, (s.start or "")[:10]) for s in em.sprints.values() if s.name == name]
    if kind == "GitHubEmulator":
        field = next(f for f in em._project().fields if f.data_type == "ITERATION")
        return [
            (i.title.partition(": ")[2], i.start.isoformat())
            for i in field.iterations
            if i.title.partition(": ")[0] == name
        ]
    return [
        (c.description or "", datetime.fromtimestamp(c.starts / 1000, UTC).date().isoformat())
        for c in em.cycles.values()
        if c.name == name
    ]


async def test_a_same_named_sprint_is_given_the_goal_and_keeps_the_slots_first_day(slack, board):
    tracker, em = board
    keys = tracker.seed(em)
    await tracker.connect(slack, em)
    await drain(slack)
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        name = tracker_sprints.sprint_name((await sprints.upcoming(store, team, now)).number)
    made_there(em, name, now + timedelta(days=AHEAD))

    sprint_id = await committed_sprint(slack, keys[:1], "Take card payments", ahead_days=AHEAD)
    await drain(slack)

    async with slack.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint_id)
    assert named_there(em, name) == [("Take card payments", sprint.starts_on.isoformat())], (
        "the sprint made there is reused, given the goal, and begins with the slot"
    )
