# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An item archived in Timebox, linked to an issue, through the real app and each tracker's
emulator (Jira, a GitHub project, Linear): its issue is closed as won't do there (not as done:
nothing was delivered), once, by the durable writes, so nobody finds it open on the tracker's
backlog; the syncs that follow leave the item archived; `/backlog restore` reopens the issue,
and so does a reopen in the tracker bring the item back. The tracker closing an issue as not
planned is test_tracker_not_planned.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.domain.tracker_sync import tracker_name
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_refine_slack import refine, thread
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_not_planned import NOT_PLANNED, STILL_NOT_PLANNED
from tests.app.test_tracker_reopen import SYNC, Tracker, board, restored_and_reopened  # noqa: F401
from tests.app.test_tracker_sprint_work import REOPEN, kind_of
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import WORKSPACE, backlog_text, drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1, PO


async def archived_here(slack: LocalStack, tracker: Tracker, em: Any) -> tuple[str, int]:
    """The board seeded and connected, the item of its first issue archived by the PO (the
    write not run yet): the issue's key and the item's number."""
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    number = (await item_by_key(slack, key)).number
    em.reset_calls()
    answer = shown(await backlog(slack, f"remove {number}", user=PO))
    name = tracker_name(kind_of(tracker))
    assert f"Archived #{number}; its {name} issue {key} will be closed as won't do" in answer
    return key, number


async def test_an_item_archived_here_closes_its_issue_as_wont_do_once(slack, board):
    tracker, em = board
    key, _ = await archived_here(slack, tracker, em)

    await drain(slack)

    assert STILL_NOT_PLANNED[kind_of(tracker)](em, key), "closed as won't do, not as done"
    assert len(em.calls_to(tracker.move_call)) == 1
    await later(slack, SYNC)
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert item.archived_at is not None and item.status != "done", "still archived, not done"
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None
    assert item.tracker_link.remote["not_planned"] is True, "the sync read it back closed"
    assert len(em.calls_to(tracker.move_call)) == 1, "the syncs wrote nothing more"

    await restored_and_reopened(slack, tracker, em, key)


async def test_an_issue_reopened_in_the_tracker_after_an_archive_here_comes_back(slack, board):
    tracker, em = board
    key, _ = await archived_here(slack, tracker, em)
    await drain(slack)

    REOPEN[kind_of(tracker)](em, key)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.archived_at is None and item.status == "open", "back on the backlog"
    assert item.title in await backlog_text(slack)
    *_, (who, action, changes) = await history(slack, item)
    assert (who, action) == (kind_of(tracker), "restored")
    assert f"{key} was reopened in" in changes["note"]


async def test_an_item_restored_before_its_archive_is_written_leaves_the_issue_open(slack, board):
    """The archive reads the item when it runs: restored meanwhile, it sends nothing, and the
    restore (of an issue never closed) has nothing to reopen."""
    tracker, em = board
    key, number = await archived_here(slack, tracker, em)

    await backlog(slack, f"restore {number}", user=PO)
    await drain(slack)
    await later(slack, SYNC)

    assert tracker.moves(em) == [] and not tracker.is_done(em, key)
    item = await item_by_key(slack, key)
    assert item.archived_at is None and item.tracker_link.pending == 0


async def test_triage_in_refinement_writes_its_moves_and_archives_to_the_tracker(slack, github):
    """A refinement's triage orders and archives items as `/backlog move` and `remove` do: a
    linked item's issue is ranked in the project, or closed as not planned."""
    bug, provider, story, task = seed(github)
    await github_connected(slack, github)
    github.reset_calls()
    await refine(slack, "start 45m")
    await refine(slack, "next")
    placed = {}
    for button in ("Bottom", "Archive", "Keep", "Keep"):
        card = thread(slack)[-1]
        number = int(re.search(r"Triage \d+ of \d+: #(\d+)", shown(card)).group(1))
        placed[number] = button
        await slack.driver.click(button, user=PO, message=card)
    await drain(slack)

    keys = {(await item_by_key(slack, key)).number: key for key in (bug, provider, story, task)}
    bottom, archived = (keys[n] for n, b in placed.items() if b in ("Bottom", "Archive"))
    assert github.issue(archived).state_reason == "not_planned"
    assert github.backlog_keys()[-1] == bottom, "ranked last among the open issues"


async def test_restored_while_its_close_was_on_the_way_the_issue_is_reopened(slack, board):
    """The close landed in the tracker but its answer never reached Timebox (a lost answer),
    and the PO restored the item meanwhile: the restore reopens the issue all the same."""
    tracker, em = board
    key, number = await archived_here(slack, tracker, em)
    NOT_PLANNED[kind_of(tracker)](em, key)  # Timebox's close, as the tracker took it

    await backlog(slack, f"restore {number}", user=PO)
    await drain(slack)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.archived_at is None and item.status == "open"
    assert not tracker.is_done(em, key), "open on both sides"
    assert item.tracker_link.pending == 0


async def test_archived_again_while_the_reopen_is_retried_stays_closed(slack, board):
    tracker, em = board
    key, number = await archived_here(slack, tracker, em)
    await drain(slack)
    em.fail_next(503, route=tracker.move_call, after=tracker.ranks_first)  # the reopen fails once
    await backlog(slack, f"restore {number}", user=PO)
    await drain(slack)

    await backlog(slack, f"remove {number}", user=PO)
    await drain(slack)
    await later(slack, 120)  # the reopen's retry
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.archived_at is not None and item.tracker_link.pending == 0
    assert STILL_NOT_PLANNED[kind_of(tracker)](em, key), "closed, as the item is archived"


async def test_archiving_a_done_item_whose_done_is_on_its_way_leaves_it_done(slack, board):
    """Delivered work stays delivered in the tracker's reports: the done write closes the
    issue as done, and the archive of a done item closes nothing."""
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    number = (await item_by_key(slack, key)).number
    em.fail_next(503, route=tracker.move_call)  # the done write fails once
    await backlog(slack, f"done {number}", user=DEV1)
    await drain(slack)

    answer = shown(await backlog(slack, f"remove {number}", user=PO))
    await drain(slack)
    await later(slack, 120)
    await later(slack, SYNC)

    assert f"Archived #{number}. `/backlog restore {number}`" in answer, "no close announced"
    assert tracker.is_done(em, key) and not STILL_NOT_PLANNED[kind_of(tracker)](em, key)
    assert (await item_by_key(slack, key)).tracker_link.pending == 0


@pytest.mark.parametrize("board", ["jira"], indirect=True)
async def test_a_workflow_without_wont_do_refuses_the_close_not_the_connection(slack, board):
    """Jira's workflow has no way to close an issue as Won't Do: the item says so and what
    to change; the connection stays working (reconnecting would fix nothing) and the channel
    hears of no break."""
    tracker, em = board
    em.resolution_screens["Done"] = ["Done"]
    key, _ = await archived_here(slack, tracker, em)
    posts = len(slack.emulator.messages(CHANNEL))

    await drain(slack)
    for _ in range(4):
        await later(slack, 3600)

    link = (await item_by_key(slack, key)).tracker_link
    assert link.pending == 1 and "close " + key + " as Won't Do in Jira" in (link.error or "")
    assert len(slack.emulator.messages(CHANNEL)) == posts, "no break told in the channel"
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        assert (await store.connection(team.id)).status != "error"
