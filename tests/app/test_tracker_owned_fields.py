# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The type, epic and labels of an item linked to an issue are the tracker's (Timebox does not
write them), alike for Jira, a GitHub project and Linear: the item form refuses a change to
them under the field, saying where to make it, and keeps the form open; a title edited in the
same form is saved once the refused field is put back."""

from __future__ import annotations

import pytest

from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import item_by_key
from tests.conftest import PO

NAMES = {"jira": "Jira", "github": "GitHub", "linear": "Linear"}


@pytest.mark.parametrize(
    ("label", "field", "typed"),
    [("Type", "type", "Spike"), ("Epic", "epic", "Wallets"), ("Labels", "labels", "mobile")],
)
async def test_the_item_form_refuses_a_field_the_tracker_owns(slack, board, label, field, typed):
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    before = await item_by_key(slack, key)
    await backlog(slack, f"edit {before.number}")
    view = slack.emulator.open_view(PO)

    ack = await slack.driver.submit(view, {"Title": "Pay by card, retitled", label: typed}, user=PO)

    assert ack.json["response_action"] == "errors", ack.json
    refusal = ack.json["errors"][field]
    tracker_name = NAMES[kind_of(tracker)]
    assert f"comes from {tracker_name} ({key})" in refusal and "change it there" in refusal
    assert slack.emulator.open_view(PO) is view, "the form stays open with what was typed"
    after = await item_by_key(slack, key)
    assert (after.title, after.type, after.epic, after.labels) == (
        before.title,
        before.type,
        before.epic,
        before.labels,
    )
