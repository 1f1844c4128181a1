# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The type, epic and labels of an item linked to an issue are the tracker's (Timebox does not
write them), alike for Jira, a GitHub project and Linear: the item form refuses a change to
them under the (first) field, naming every one refused and where to make it, and keeps the
form open; a title edited in the
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
    ("typed", "field", "said"),
    [
        ({"Type": "Spike"}, "type", "The type comes from {tracker} ({key}): change it there"),
        ({"Epic": "Wallets"}, "epic", "The epic comes from {tracker} ({key}): change it there"),
        (
            {"Labels": "mobile"},
            "labels",
            "The labels come from {tracker} ({key}): change them there, and the next sync "
            "brings them here.",
        ),
        (
            {"Epic": "Wallets", "Labels": "mobile"},
            "epic",
            "The epic and labels come from {tracker} ({key}): change them there",
        ),
        (
            {"Type": "Spike", "Epic": "Wallets", "Labels": "mobile"},
            "type",
            "The type, epic and labels come from {tracker} ({key}): change them there",
        ),
    ],
    ids=["type", "epic", "labels", "epic and labels", "all three"],
)
async def test_the_item_form_refuses_the_fields_the_tracker_owns(slack, board, typed, field, said):
    """Every refused field named at once, under the first of them."""
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    before = await item_by_key(slack, key)
    await backlog(slack, f"edit {before.number}")
    view = slack.emulator.open_view(PO)

    ack = await slack.driver.submit(view, {"Title": "Pay by card, retitled", **typed}, user=PO)

    assert ack.json["response_action"] == "errors", ack.json
    assert list(ack.json["errors"]) == [field]
    refusal = ack.json["errors"][field]
    assert refusal.startswith(said.format(tracker=NAMES[kind_of(tracker)], key=key)), refusal
    assert slack.emulator.open_view(PO) is view, "the form stays open with what was typed"
    after = await item_by_key(slack, key)
    assert (after.title, after.type, after.epic, after.labels) == (
        before.title,
        before.type,
        before.epic,
        before.labels,
    )
