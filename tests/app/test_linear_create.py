# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An item added in Timebox on a channel connected to a Linear team, through the real app and
the Linear emulator: the issue it makes carries what the item holds."""

from __future__ import annotations

from bot.domain.backlog import ItemFields
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_create_fields import added
from tests.app.test_tracker_reopen import SYNC, linear_seeded
from tests.app.trackers import item_by_key, later


async def test_a_label_written_in_another_case_is_the_teams_label(slack, linear):
    """The team's Linear labels are "Frontend" and "Bug" (Linear's way: capitalised); the PO adds
    an item labelled "frontend" (Timebox's way: lower case). Linear holds one label per name
    whatever its case, so the issue made carries the team's "Frontend" label, and the item
    keeps its label after the create and the next sync (nothing dropped)."""
    frontend = linear.add_label("Frontend")
    await linear_seeded(slack, linear)

    item = await added(slack, ItemFields(title="Dark mode", labels=["frontend"]))

    key = item.tracker_link.key
    assert key is not None and item.tracker_link.pending == 0
    assert frontend.id in linear.issues[key].label_ids, "the team's label, not none"
    await later(slack, SYNC)
    item = await item_by_key(slack, key)
    assert [label.lower() for label in item.labels] == ["frontend"], item.labels
