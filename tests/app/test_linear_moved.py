# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue moved in Linear to another team, through the real app, the Slack emulator and the
Linear emulator (``move_issue``, as Linear moves one: the same issue, its id unchanged, under a
new identifier, OPS-1 for ENG-1). It is not deleted: the hourly look at the team misses its old
identifier and asks for it by its id (which Linear always answers; the link keeps it), so its
item is unlinked and archived with a history line naming its new identifier, never "deleted".
Moved back, it is linked to its item again, the history saying it moved to another team."""

from __future__ import annotations

from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_seeded
from tests.app.test_tracker_sync import history
from tests.app.trackers import item_by_key, items, later

HOUR = 3601  # seconds on: the hourly look at the team has asked for the moved issue


async def test_an_issue_moved_to_another_linear_team_is_said_moved_not_deleted(slack, linear):
    keys = await linear_seeded(slack, linear)
    card = await item_by_key(slack, keys[0])
    ops = linear.add_team("OPS", "Operations")
    moved = linear.move_issue(keys[0], ops.key)
    assert (moved.identifier, moved.previous_identifiers) == ("OPS-1", [keys[0]])
    await later(slack, HOUR)

    [gone] = [i for i in await items(slack, include_closed=True) if i.id == card.id]
    assert gone.archived_at is not None and gone.tracker_link.connection_id is None
    *_, (who, action, changes) = await history(slack, gone)
    assert (who, action, changes["key"]) == ("linear", "unlinked", keys[0])
    note = changes.get("note", "")
    assert "deleted" not in note, note
    assert f"{keys[0]} left the board in Linear on " in note, note
    assert "(moved to another team: it is OPS-1 now)" in note, note
    asked = linear.calls_to("Issue")
    assert asked and all(c.variables["id"] == moved.id for c in asked), "asked for by its id"


async def test_moved_back_it_is_its_item_again_said_moved_to_another_team(slack, linear):
    keys = await linear_seeded(slack, linear)
    card = await item_by_key(slack, keys[0])
    ops = linear.add_team("OPS", "Operations")
    linear.move_issue(keys[0], ops.key)
    await later(slack, HOUR)

    back = linear.move_issue("OPS-1", "ENG")  # a new identifier again: ENG-4
    await later(slack, HOUR)

    again = await item_by_key(slack, back.identifier)
    assert again.id == card.id and again.tracker_link.connection_id is not None
    assert [i.title for i in await items(slack)].count(card.title) == 1, "no copy"
    lines = [changes.get("note", "") for _, action, changes in await history(slack, again)]
    said = f"{keys[0]} is now {back.identifier} in Linear (moved to another team)"
    assert said in lines, lines
