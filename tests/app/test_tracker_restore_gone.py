# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""`/backlog restore` of an item whose issue was deleted in the tracker (the sync unlinked and
archived it), through the real app, the Slack emulator and each tracker's emulator: in a
connected channel the item is created there again as `/backlog add` creates one, and the reply
says so, so both backlogs hold it and its later edits reach the new issue; in a disconnected
channel nothing is created. Alike for Jira, a GitHub project and Linear."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_push_merge import FIELDS, NAMES, saved_in_timebox
from tests.app.test_tracker_reopen import Tracker, board  # noqa: F401
from tests.app.test_tracker_sprint_pending import status_text
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, items, later
from tests.conftest import CHANNEL, PO

RECONCILE = 3600  # seconds on: the hourly look at the board has asked for the gone issue

DELETE: dict[str, Callable[[Any, str], object]] = {
    "jira": lambda jira, key: jira.delete(key),
    "github": lambda github, key: github.delete_issue(key),
    "linear": lambda linear, key: linear.remove_issue(key),
}
CREATE_CALLS = {"jira": "issue.create", "github": "graphql.createIssue", "linear": "CreateIssue"}


async def deleted_there(slack: LocalStack, tracker: Tracker, em: Any) -> tuple[str, int, int]:
    """The board seeded and connected, its first issue deleted in the tracker and the sync's
    hourly look run: the item unlinked and archived. The deleted key, the item's number and
    how many items were linked before."""
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await drain(slack)
    number = (await item_by_key(slack, key)).number
    linked = len(await items(slack))
    DELETE[kind_of(tracker)](em, key)
    await later(slack, RECONCILE)
    [gone] = [i for i in await items(slack, include_closed=True) if i.number == number]
    assert gone.archived_at is not None and gone.tracker_link.connection_id is None
    return key, number, linked


async def test_an_item_restored_after_its_issue_was_deleted_is_created_there_again(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    old_key, number, linked = await deleted_there(slack, tracker, em)
    em.reset_calls()

    answer = shown(await backlog(slack, f"restore {number}"))
    await drain(slack)

    name = NAMES[kind]
    assert f"its issue is gone from {name}, so a new one will be created there" in answer
    assert len(em.calls_to(CREATE_CALLS[kind])) == 1
    [item] = [i for i in await items(slack) if i.number == number]
    link = item.tracker_link
    assert link.key not in (None, old_key) and link.connection_id is not None
    assert link.pending == 0 and link.error is None
    fields = FIELDS[kind]
    assert fields.title(em, link.key) == item.title, "both backlogs hold it"
    status = await status_text(slack)
    assert "in step" in status and f"Linked items: {linked}" in status, status

    await saved_in_timebox(slack, number, "Retitled after the restore")
    await drain(slack)
    assert fields.title(em, link.key) == "Retitled after the restore", "later edits reach it"
    await later(slack, 600)
    again = await item_by_key(slack, link.key)
    assert again.id == item.id and again.archived_at is None, "the sync keeps it linked"
    assert len(em.calls_to(CREATE_CALLS[kind])) == 1, "created once"
    assert len(await items(slack)) == linked, "no duplicate"


async def test_in_a_disconnected_channel_a_restore_creates_nothing(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    _, number, _ = await deleted_there(slack, tracker, em)
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    await drain(slack)
    em.reset_calls()

    answer = shown(await backlog(slack, f"restore {number}"))
    await drain(slack)

    assert "is back on the backlog, at the bottom" in answer
    assert "will be created" not in answer
    assert em.calls_to(CREATE_CALLS[kind]) == []
    [item] = [i for i in await items(slack) if i.number == number]
    assert item.archived_at is None and item.tracker_link.connection_id is None


async def test_deleted_and_restored_again_it_is_created_again(slack, board):
    """The issue the first restore created is deleted too: the second restore creates one
    more (its create is not taken for the first one's, done already)."""
    tracker, em = board
    kind = kind_of(tracker)
    _, number, _ = await deleted_there(slack, tracker, em)
    await backlog(slack, f"restore {number}")
    await drain(slack)
    [item] = [i for i in await items(slack) if i.number == number]
    first = item.tracker_link.key
    DELETE[kind](em, first)
    await later(slack, RECONCILE)
    em.reset_calls()

    answer = shown(await backlog(slack, f"restore {number}"))
    await drain(slack)

    assert "so a new one will be created there" in answer
    assert len(em.calls_to(CREATE_CALLS[kind])) == 1
    [item] = [i for i in await items(slack) if i.number == number]
    assert item.tracker_link.key not in (None, first) and item.tracker_link.pending == 0
