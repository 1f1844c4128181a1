# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue closed as done in the tracker while its item's sprint, committed ahead of its slot,
has not started yet, alike for Jira, a GitHub project and Linear, through the real app and each
tracker's emulator: `/sprint done` is refused then, so the sync does not finish it in that
sprint either (its burndown and velocity count only work done while it runs). The item leaves
the sprint as a scope change whose reason names the tracker, told in the channel as one is,
and is done on the backlog; reopened there before the start, it is open on the backlog, with
nothing to undo in the sprint. Done in the tracker once the sprint runs, it finishes there as
before (test_tracker_sprint_work)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.calendar import local_today
from bot.domain.tracker_sync import tracker_name
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import channel_posts
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_scope import scope
from tests.app.test_tracker_sprint_work import (
    REOPEN,
    closed_sprint,
    in_a_running_sprint,
    kind_of,
    sprint_card,
)
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import WORKSPACE, item_by_key, later
from tests.conftest import CHANNEL, PO


async def starts_in(slack: LocalStack, sprint_id: int, days: int) -> None:
    """The committed sprint's slot moved to begin `days` from today (0: today), its length
    kept: committed ahead of its slot, it is not running until then."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        sprint = await store.sprint_by_id(sprint_id)
        assert sprint is not None
        length = sprint.ends_on - sprint.starts_on
        sprint.starts_on = local_today(team, slack.clock.now()) + timedelta(days=days)
        sprint.ends_on = sprint.starts_on + length


async def done_before_the_start(slack: LocalStack, board) -> tuple[str, int, int]:
    """An item of a sprint starting in 5 days, its issue closed as done in the tracker and
    synced: its key, its number, the sprint's id."""
    tracker, em = board
    key, sprint_id = await in_a_running_sprint(slack, tracker, em)
    await starts_in(slack, sprint_id, 5)
    assert "0 of 3 points done" in await sprint_card(slack)
    tracker.close(em, key)
    await later(slack, SYNC)
    return key, (await item_by_key(slack, key)).number, sprint_id


async def test_done_in_the_tracker_before_the_sprint_starts_leaves_it_done_on_the_backlog(
    slack, board
):
    tracker, em = board
    kind = kind_of(tracker)
    key, number, sprint_id = await done_before_the_start(slack, board)

    item = await item_by_key(slack, key)
    held, (change,) = await scope(slack, sprint_id)
    assert number not in held and change.action == "removed" and change.actor == kind
    assert change.reason == f"{key} was done in {tracker_name(kind)} before sprint 1 began"
    assert item.status == "done" and item.archived_at is None, "done, outside any sprint"
    card = await sprint_card(slack)
    assert "0 of 0 points done" in card and "1 scope change" in card, card
    actions = [(who, action) for who, action, _ in await history(slack, item)]
    assert actions[-2:] == [(kind, "sprint remove"), (kind, "done")]
    told = shown(channel_posts(slack)[-1])
    assert told.startswith(f":arrows_counterclockwise: <@{PO}>: {change.reason}: *#{number}*")
    assert "(3 pts) leaves sprint 1 here too, done on the backlog, as a logged renegotiation" in (
        told
    )

    await later(slack, SYNC)
    assert shown(channel_posts(slack)[-1]) == told, "told once"
    item = await item_by_key(slack, key)
    assert item.status == "done" and item.tracker_link.pending == 0
    assert tracker.is_done(em, key), "done on both sides"
    assert len((await scope(slack, sprint_id))[1]) == 1, "no other scope change"
    await starts_in(slack, sprint_id, 0)  # its first day comes
    assert await closed_sprint(slack, sprint_id) == 0.0, "no velocity from work done before"


async def test_reopened_in_the_tracker_before_the_start_it_is_open_on_the_backlog(slack, board):
    tracker, em = board
    key, number, sprint_id = await done_before_the_start(slack, board)
    told = len(channel_posts(slack))

    REOPEN[kind_of(tracker)](em, key)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.status == "open" and item.archived_at is None, "back on the backlog"
    held, changes = await scope(slack, sprint_id)
    assert number not in held and len(changes) == 1, "nothing to undo in the sprint"
    assert len(channel_posts(slack)) == told, "no scope change to tell"
    assert not tracker.is_done(em, key), "Timebox wrote nothing over it"
