# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Issues of a Linear team edited in Linear, through the real app, the Slack emulator and the
Linear emulator: what the channel's backlog shows after the team's own edits there."""

from __future__ import annotations

from bot.emulator.linear import LinearEmulator
from bot.emulator.linear_records import LinearState
from tests.app.test_backlog_slack import backlog
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_push_merge import saved_in_timebox
from tests.app.test_tracker_reopen import SYNC, linear_seeded
from tests.app.trackers import RECONCILE, drain, item_by_key, items, later
from tests.conftest import DEV1


async def test_an_estimate_cleared_in_linear_clears_the_items_estimate(slack, linear):
    """The team removes an issue's estimate in Linear (Shift E, remove). Proves the item
    linked to it has no estimate either after the next sync."""
    keys = await linear_seeded(slack, linear)
    linear.edit(keys[0], estimate=5)
    await later(slack, SYNC)
    assert (await item_by_key(slack, keys[0])).estimate == 5

    linear.edit(keys[0], estimate=None)
    await later(slack, SYNC)

    assert (await item_by_key(slack, keys[0])).estimate is None


async def test_restoring_an_item_whose_issue_linear_archived_reopens_the_issue(slack, linear):
    """An item done long ago: Linear auto-archived its completed issue (as it does after the
    team's auto-archive period; an archived issue cannot be edited until restored). The PO
    restores the item in Timebox. Proves the issue is restored from Linear's archive and
    reopened (on the team's backlog again, where the item is), the write ending cleanly."""
    keys = await linear_seeded(slack, linear)
    number = (await item_by_key(slack, keys[0])).number
    await backlog(slack, f"done {number}", user=DEV1)
    await drain(slack)
    assert linear.state_of(keys[0]).type == "completed"
    linear.archive_issue(keys[0])

    await backlog(slack, f"restore {number}")
    await drain(slack)

    issue = linear.issues[keys[0]]
    assert issue.archived is None and not issue.trashed, "restored from the archive"
    assert linear.state_of(keys[0]).type in ("backlog", "unstarted"), "reopened"
    item = await item_by_key(slack, keys[0])
    assert item.status == "open" and item.archived_at is None
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None
    await later(slack, SYNC)
    assert (await item_by_key(slack, keys[0])).status == "open"


async def test_an_issue_moved_into_the_team_from_another_joins_the_backlog(slack, linear):
    """Another team (OPS) hands an issue over: in Linear it is moved to ENG, the connected
    team, where it is numbered anew (OPS-1 becomes ENG-4) and lands in ENG's Todo. Proves it
    is on the channel's backlog after the next sync, once, under its new identifier."""
    await linear_seeded(slack, linear)
    linear.add_team("OPS", "Operations")
    handed = linear.add_issue("Rotate the API keys", team="OPS")

    moved = linear.move_issue(handed.identifier, "ENG")
    await later(slack, SYNC)

    item = await item_by_key(slack, moved.identifier)
    assert item.title == "Rotate the API keys" and item.archived_at is None
    titles = [i.title for i in await items(slack)]
    assert titles.count("Rotate the API keys") == 1, titles


def with_triage(linear: LinearEmulator) -> None:
    """Team ENG turns Triage on (Linear's inbox: issues filed by integrations and people outside
    the team land there until someone accepts them onto the backlog, or declines them)."""
    triage = LinearState(linear._uuid("state"), linear.team.id, "Triage", "triage", -1.0)
    linear.states[triage.id] = triage


async def test_an_issue_filed_into_linears_triage_stays_off_the_backlog(slack, linear):
    """After connecting, a bug is filed through Linear's Slack integration and lands in the
    team's Triage, not yet accepted. Proves it is not on the channel's backlog after the next
    syncs (Linear's backlog, which the import reads, holds the Backlog and Todo states only),
    and that once the team accepts it onto its backlog in Linear (Todo), it joins."""
    await linear_seeded(slack, linear)
    with_triage(linear)

    filed = linear.add_issue("Login button unreadable in dark mode", state="Triage")
    await later(slack, SYNC)
    await later(slack, RECONCILE)

    assert filed.title not in [i.title for i in await items(slack)]
    linear.edit(filed.identifier, state="Todo")
    await later(slack, SYNC)
    assert filed.title in [i.title for i in await items(slack)]


async def test_an_item_retitled_after_its_issue_was_deleted_in_linear_is_unlinked(slack, linear):
    """The team deletes an issue in Linear (to its trash); before any sync notices, the PO
    retitles its item in Timebox. Proves the title's write finds the issue gone, as the sync
    would: the item is unlinked and archived with its new title and the channel is told the
    issue was deleted; no refusal stands on the item for someone to fix in Linear."""
    keys = await linear_seeded(slack, linear)
    number = (await item_by_key(slack, keys[0])).number
    linear.remove_issue(keys[0])

    await saved_in_timebox(slack, number, "Pay by card or wallet")
    await drain(slack)

    [item] = [i for i in await items(slack, include_closed=True) if i.number == number]
    assert item.title == "Pay by card or wallet"
    assert item.tracker_link.connection_id is None and item.archived_at is not None
    assert item.tracker_link.error is None
    assert linear.issues[keys[0]].title == "Pay by card", "nothing written to the trash"
