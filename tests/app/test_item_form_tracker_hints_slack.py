# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The item form says in advance, under the type, epic and labels of an item linked to an
issue, that they come from the tracker and are changed there (saving a change to them is
refused: tests/app/test_tracker_owned_fields.py); an item only Timebox has (before
the channel connects) says nothing so."""

from __future__ import annotations

from typing import Any

from tests.app.test_backlog_slack import backlog
from tests.app.test_tracker_reopen import TRACKERS
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import item_by_key
from tests.conftest import PO


def hints(view: Any) -> dict[str, str]:
    """The hint under each input of the form, by its block."""
    return {
        b["block_id"]: b.get("hint", {}).get("text", "")
        for b in view.view["blocks"]
        if b["type"] == "input"
    }


async def test_the_fields_the_tracker_owns_say_where_to_change_them(slack, jira):
    tracker = TRACKERS["jira"]
    key, *_ = tracker.seed(jira)
    await backlog(slack, "add A note only Timebox has")
    await backlog(slack, "edit 1")
    local = hints(slack.emulator.open_view(PO))
    assert local["labels"] == "Separated by commas." and not local["type"] and not local["epic"]

    await tracker.connect(slack, jira)
    linked = await item_by_key(slack, key)
    await backlog(slack, f"edit {linked.number}")
    shown = hints(slack.emulator.open_view(PO))

    assert shown["type"] == f"From Jira ({key}): change it there."
    assert shown["epic"] == f"From Jira ({key}): change it there."
    assert shown["labels"] == f"Separated by commas. From Jira ({key}): change them there."
    assert "From Jira" not in shown["title"], "Timebox writes the title to Jira"
