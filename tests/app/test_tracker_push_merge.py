# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A field write of Timebox's reads its issue first (one read per write, whatever its fields)
and merges what changed in the tracker since the last sync as the sync would: an edit made
there and not yet synced is never silently overwritten. The same field edited on both sides
is a conflict the later change wins, recorded in the item's history as the sync records it;
another field edited there is kept, and Timebox's field is written. Alike for Jira, a GitHub
project and Linear, through the real app (`/backlog edit`) and each tracker's emulator, no
webhook delivered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import PO


@dataclass(frozen=True)
class Fields:
    """How a person edits an issue's title and estimate in a tracker, how they read there, and
    the call that reads one issue."""

    edit: Callable[..., object]  # (emulator, key, title=..., estimate=...)
    title: Callable[[Any, str], str]
    read_call: str


def _jira_edit(em: Any, key: str, **changes: Any) -> object:
    if "title" in changes:
        changes["summary"] = changes.pop("title")
    return em.edit(key, **changes)


FIELDS = {
    "jira": Fields(_jira_edit, lambda em, key: em.issues[key].summary, "issue.get"),
    "github": Fields(
        lambda em, key, **changes: em.edit(key, **changes),
        lambda em, key: em.issue(key).title,
        "issues.get",
    ),
    "linear": Fields(
        lambda em, key, **changes: em.edit(key, **changes),
        lambda em, key: em.issues[key].title,
        "Issue",
    ),
}
NAMES = {"jira": "Jira", "github": "GitHub", "linear": "Linear"}


async def saved_in_timebox(slack: LocalStack, number: int, title: str) -> None:
    """The PO retitles item `number` through `/backlog edit` (its write not run yet)."""
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(view, {"Title": title}, user=PO)
    assert ack.status == 200 and not (ack.json or {}).get("errors"), ack.json


async def connected_item(slack: LocalStack, board: Any) -> tuple[Fields, Any, str, int]:
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await drain(slack)
    return FIELDS[kind_of(tracker)], em, key, (await item_by_key(slack, key)).number


@pytest.mark.parametrize("tracker_first", [True, False], ids=["tracker-first", "timebox-first"])
async def test_a_field_edited_on_both_sides_before_a_sync_is_a_conflict_the_later_wins(
    slack, board, tracker_first
):
    fields, em, key, number = await connected_item(slack, board)
    name = NAMES[kind_of(board[0])]
    slack.clock.advance(timedelta(minutes=1))
    if tracker_first:  # the QA case: the tracker's edit first, Timebox's save later
        fields.edit(em, key, title=f"Retitled in {name}", estimate=3)
        slack.clock.advance(timedelta(minutes=1))
        assert (await item_by_key(slack, key)).title != f"Retitled in {name}", "not synced yet"
        await saved_in_timebox(slack, number, "Retitled in Timebox")
    else:  # Timebox's save first, its write not sent before the tracker's later edit
        slack.clock.advance(timedelta(minutes=1))
        await saved_in_timebox(slack, number, "Retitled in Timebox")
        slack.clock.advance(timedelta(minutes=1))
        fields.edit(em, key, title=f"Retitled in {name}", estimate=3)
    em.reset_calls()

    await drain(slack)

    kept = "Timebox" if tracker_first else name
    winner = "Retitled in Timebox" if tracker_first else f"Retitled in {name}"
    item = await item_by_key(slack, key)
    conflicts = [c for _, action, c in await history(slack, item) if action == "conflict"]
    assert [(c["field"], c["kept"]) for c in conflicts] == [("title", kept)]
    assert fields.title(em, key) == winner
    assert (item.title, item.estimate) == (winner, 3), "the estimate changed there is taken"
    assert len(em.calls_to(fields.read_call)) == 1, "one read of the issue per write"
    assert " Europe/Berlin)" in conflicts[0]["note"], "its times in the team's zone"
    if tracker_first:
        assert f"so Timebox's is kept and written to {name}" in conflicts[0]["note"]
    else:
        assert f"so {name}'s is kept" in conflicts[0]["note"]
    await later(slack, SYNC)  # the sync finds both sides agreed: nothing more
    item = await item_by_key(slack, key)
    assert (item.title, item.estimate, fields.title(em, key)) == (winner, 3, winner)
    assert len([a for _, a, _ in await history(slack, item) if a == "conflict"]) == 1
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None


async def test_another_field_edited_in_the_tracker_is_kept_and_timeboxs_field_written(slack, board):
    fields, em, key, number = await connected_item(slack, board)
    slack.clock.advance(timedelta(minutes=1))
    fields.edit(em, key, estimate=3)
    slack.clock.advance(timedelta(minutes=1))
    await saved_in_timebox(slack, number, "Retitled in Timebox")
    em.reset_calls()

    await drain(slack)

    assert fields.title(em, key) == "Retitled in Timebox", "Timebox's field is written"
    assert em.estimate_of(key) == 3, "the tracker's edit of another field is kept there"
    item = await item_by_key(slack, key)
    assert (item.title, item.estimate) == ("Retitled in Timebox", 3), "and taken here at once"
    assert len(em.calls_to(fields.read_call)) == 1, "one read of the issue per write"
    assert [a for _, a, _ in await history(slack, item) if a == "conflict"] == []
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert (item.title, item.estimate, em.estimate_of(key)) == ("Retitled in Timebox", 3, 3)
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None
