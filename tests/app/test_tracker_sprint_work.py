# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A running sprint's items and their issues, alike for Jira, a GitHub project and Linear,
through the real app and each tracker's emulator:

- an issue closed in the tracker during the sprint finishes its sprint item as `/sprint done`
  does (ticked on the sprint card, its points in the velocity at close, done on both sides
  after); reopened in the tracker, the item is unfinished again;
- an issue Timebox's commitment put into the tracker's sprint (iteration, cycle) has not left
  the board: it stays linked, and `/sprint done` still closes it there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.emulator.stack import LocalStack
from bot.usecases import sprints
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, TRACKERS, Tracker, board  # noqa: F401
from tests.app.test_tracker_sync import jira, running_sprint  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1, SM

RECONCILE = 3700  # seconds on: the hourly look at the board's order and deletions has run

REOPEN: dict[str, Callable[[Any, str], object]] = {
    "jira": lambda jira, key: jira.edit(key, status="To Do"),
    "github": lambda github, key: github.edit(key, state="open"),
    "linear": lambda linear, key: linear.edit(key, state="Todo"),
}


def kind_of(tracker: Tracker) -> str:
    return next(k for k, t in TRACKERS.items() if t is tracker)


async def in_a_running_sprint(slack: LocalStack, tracker: Tracker, em: Any) -> tuple[str, int]:
    """The board seeded and connected; its first issue's item, estimated 3 points, committed
    in a running sprint (written to the tracker): its key, the sprint's id."""
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        link = (await store.links_by_keys(team.id, [key]))[key]
        item = await store.item_by_id(team.id, link.item_id)
        assert item is not None
        item.estimate = 3.0
    sprint_id = await running_sprint(slack, [key])
    return key, sprint_id


async def sprint_card(slack: LocalStack) -> str:
    """What `/sprint` shows a developer."""
    await slack.driver.command("/sprint", "", user=DEV1, channel=CHANNEL)
    return shown(last_ephemeral(slack, DEV1))


async def closed_sprint(slack: LocalStack, sprint_id: int) -> float:
    """The sprint closed by its Scrum Master (written to the tracker): its completed points."""
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        sprint = await store.sprint_by_id(sprint_id)
        closing = await sprints.close(store, team, SM, now, "", sprint=sprint)
    await drain(slack)
    return closing.completed


async def done_at(slack: LocalStack, sprint_id: int, key: str) -> Any:
    """When the sprint item of `key` was finished (None: not finished)."""
    item = await item_by_key(slack, key)
    async with slack.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint_id)
        assert sprint is not None
        [sprint_item] = [s for s in await store.sprint_items(sprint) if s.item_id == item.id]
        return sprint_item.done_at


async def test_an_issue_closed_in_the_tracker_finishes_its_sprint_item(slack, board):
    tracker, em = board
    key, sprint_id = await in_a_running_sprint(slack, tracker, em)
    assert "0 of 3 points done" in await sprint_card(slack)

    tracker.close(em, key)
    await later(slack, SYNC)

    assert await done_at(slack, sprint_id, key) is not None, "finished as `/sprint done` does"
    assert "3 of 3 points done" in await sprint_card(slack)
    item = await item_by_key(slack, key)
    assert item.status == "done" and item.tracker_link.pending == 0, "nothing to write back"
    assert await closed_sprint(slack, sprint_id) == 3.0, "its points count in the velocity"
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert item.status == "done" and tracker.is_done(em, key), "done on both sides"


async def test_an_issue_reopened_in_the_tracker_unfinishes_its_sprint_item(slack, board):
    tracker, em = board
    key, sprint_id = await in_a_running_sprint(slack, tracker, em)
    number = (await item_by_key(slack, key)).number
    await slack.driver.command("/sprint", f"done {number}", user=DEV1, channel=CHANNEL)
    await drain(slack)
    assert tracker.is_done(em, key) and "3 of 3 points done" in await sprint_card(slack)
    await later(slack, SYNC)

    REOPEN[kind_of(tracker)](em, key)
    await later(slack, SYNC)

    assert await done_at(slack, sprint_id, key) is None, "work to do again in the sprint"
    assert (await item_by_key(slack, key)).status == "sprint"
    assert "0 of 3 points done" in await sprint_card(slack)
    assert await closed_sprint(slack, sprint_id) == 0.0, "unfinished: no velocity"
    assert (await item_by_key(slack, key)).status == "open", "back on the backlog"


async def test_an_issue_timebox_put_in_the_trackers_sprint_stays_linked(slack, board):
    tracker, em = board
    key, _ = await in_a_running_sprint(slack, tracker, em)

    await later(slack, RECONCILE)
    await later(slack, RECONCILE)

    item = await item_by_key(slack, key)
    assert item.tracker_link.connection_id is not None, "in the sprint, not off the board"
    assert item.archived_at is None and item.status == "sprint"
    await slack.driver.command("/sprint", f"done {item.number}", user=DEV1, channel=CHANNEL)
    await drain(slack)
    assert tracker.is_done(em, key), "done here is done there"
