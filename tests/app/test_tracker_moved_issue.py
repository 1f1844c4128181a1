# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue moved in Jira to a project off the board, through the real app, the Slack emulator
and the Jira emulator (which, as Jira does, answers the old key with the issue under its new
key): it is not gone, it left the board. The hourly look at the board unlinks and archives its
item with a history line naming its new key; `/backlog restore` brings the item back unlinked
and creates no copy of the issue (a copy would stand beside the moved one); moved back onto
the board, the sync links it again."""

from __future__ import annotations

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import history, jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, items, later

RECONCILE = 61 * 60  # seconds on: the hourly look at the board has asked for the moved issue


async def moved_away(slack: LocalStack, jira: JiraEmulator) -> tuple[str, str, int, int]:
    """The board seeded and connected, its first issue moved to project OTHER and the hourly
    look run: (old key, new key, the item's number, how many issues Jira has)."""
    key, *_ = seed_board(jira)
    await connected(slack, jira)
    await drain(slack)
    number = (await item_by_key(slack, key)).number
    moved = jira.move(key, "OTHER")
    await later(slack, RECONCILE)
    return key, moved.key, number, len(jira.issues)


async def test_an_issue_moved_off_the_board_is_said_moved_under_its_new_key(slack, jira):
    old, new, number, _ = await moved_away(slack, jira)

    [item] = [i for i in await items(slack, include_closed=True) if i.number == number]
    assert item.archived_at is not None and item.tracker_link.connection_id is None
    *_, (who, action, changes) = await history(slack, item)
    assert (who, action, changes["key"]) == ("jira", "unlinked", old)
    note = changes["note"]
    assert note.startswith(f"{old} left the board in Jira on "), note
    assert f"(moved to another project: it is {new} now)" in note, note
    assert note.endswith(
        f": unlinked and archived; `/backlog restore {number}` brings it back here, unlinked "
        "(moved back onto the board, the issue is linked to it again)"
    ), note


async def test_restoring_it_creates_no_copy_and_keeps_it_unlinked(slack, jira):
    _, new, number, issues = await moved_away(slack, jira)
    jira.reset_calls()

    answer = shown(await backlog(slack, f"restore {number}"))
    await drain(slack)
    await later(slack, RECONCILE)

    assert "is back on the backlog" in answer, answer
    assert "a new one will be created" not in answer, answer
    assert f"unlinked: its issue moved off the board (it is {new} now)" in answer, answer
    assert jira.calls_to("issue.create") == [], "no copy of the moved issue"
    assert len(jira.issues) == issues
    [item] = [i for i in await items(slack) if i.number == number]
    assert item.archived_at is None and item.tracker_link.connection_id is None
    assert not [i for i in await items(slack) if i.tracker_link and i.tracker_link.key == new]

    back = jira.move(new, "TB")  # moved back onto the board: linked again, no duplicate
    await later(slack, RECONCILE)
    again = await item_by_key(slack, back.key)
    assert again.id == item.id and again.tracker_link.connection_id is not None
    assert again.archived_at is None
    assert jira.calls_to("issue.create") == []
