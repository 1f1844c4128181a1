# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A Linear team's settings changed in Linear after the channel connected, through the real app,
the Slack emulator and the Linear emulator. A team reworks its workflow (a new completed status
replacing "Done") or turns on extended estimates in Linear's team settings, and expects Timebox
to follow without a reconnect: a done item lands in the team's completed status of now (never
read as the issue deleted), and the settings Timebox keeps catch up within the hour."""

from __future__ import annotations

from bot.emulator.linear import LinearEmulator
from bot.emulator.linear_records import LinearState
from tests.app.test_backlog_slack import backlog
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_seeded
from tests.app.test_tracker_sync import history
from tests.app.trackers import RECONCILE, drain, item_by_key, items, kept_board, later
from tests.conftest import DEV1


def replace_done(linear: LinearEmulator, name: str = "Shipped") -> LinearState:
    """The team's "Done" status removed from its workflow in Linear and ``name`` (completed)
    added where it was: the status every completed issue now goes to."""
    done = linear.state_named("Done")
    del linear.states[done.id]
    shipped = LinearState(linear._uuid("state"), done.team_id, name, "completed", done.position)
    linear.states[shipped.id] = shipped
    return shipped


async def test_done_after_the_workflow_changed_lands_in_the_new_completed_status(slack, linear):
    """The team replaced its "Done" status by "Shipped" in Linear after connecting; a developer
    marks an item done in Timebox. Proves the write lands in "Shipped" (the team's completed
    status now) and the item stays linked and done: a status id Timebox kept from the
    connection that Linear no longer knows is not read as the issue being deleted (the item is
    not unlinked, archived, nor said deleted)."""
    keys = await linear_seeded(slack, linear)
    shipped = replace_done(linear)
    number = (await item_by_key(slack, keys[0])).number

    await backlog(slack, f"done {number}", user=DEV1)
    await drain(slack)

    [item] = [i for i in await items(slack, include_closed=True) if i.number == number]
    assert item.tracker_link.connection_id is not None, "still linked"
    assert item.tracker_link.key == keys[0]
    lines = [(action, changes.get("note", "")) for _, action, changes in await history(slack, item)]
    assert not any("deleted" in note for _, note in lines), lines
    assert item.status == "done"
    assert linear.state_of(keys[0]).id == shipped.id, "done here is done there"
    await later(slack, RECONCILE)
    item = await item_by_key(slack, keys[0])
    assert item.status == "done" and item.tracker_link.pending == 0


async def test_extended_estimates_turned_on_in_linear_are_taken_up_within_the_hour(slack, linear):
    """The team turned on extended estimates (13 and 21 on its Fibonacci scale) in Linear's
    team settings after connecting. Proves that within the hour (the regular syncs run)
    Timebox keeps the team's settings as they are now, so 13 is an estimate the channel may
    give an item of that team, where before it was refused as off the scale for good."""
    await linear_seeded(slack, linear)
    assert (await kept_board(slack)).get("extended") is False
    linear.set_estimation("fibonacci", extended=True)

    await later(slack, RECONCILE)
    await later(slack, RECONCILE)

    assert (await kept_board(slack)).get("extended") is True


def rename_team_key(linear: LinearEmulator, old: str, new: str) -> dict[str, str]:
    """The team's key changed in its settings (ENG to CORE), as Linear does it: every issue of
    the team takes the new key in its identifier (ENG-1 is CORE-1), its old identifier kept in
    ``previousIdentifiers``. The identifiers, old to new."""
    team = linear.team_by_key(old)
    team.key = new
    renamed = {}
    for key, issue in list(linear.issues.items()):
        if issue.team_id != team.id:
            continue
        del linear.issues[key]
        issue.previous_identifiers.append(key)
        issue.identifier = f"{new}-{issue.number}"
        linear.issues[issue.identifier] = issue
        renamed[key] = issue.identifier
    return renamed


async def test_a_team_key_changed_in_linear_keeps_the_items_linked(slack, linear):
    """The team changes its key in Linear's team settings (ENG to CORE: its issues become
    CORE-1, CORE-2...). Proves that after the hourly looks every item is still linked, under
    its issue's new identifier, none archived, and an estimate given in Timebox then still
    reaches the issue."""
    keys = await linear_seeded(slack, linear)
    renamed = rename_team_key(linear, "ENG", "CORE")

    await later(slack, RECONCILE)
    await later(slack, RECONCILE)

    open_items = await items(slack)
    assert len(open_items) == len(keys), [i.title for i in open_items]
    for key in keys:
        item = await item_by_key(slack, renamed[key])
        assert item.archived_at is None and item.tracker_link.connection_id is not None
    number = (await item_by_key(slack, renamed[keys[1]])).number
    await backlog(slack, f"done {number}", user=DEV1)
    await drain(slack)
    assert linear.state_of(renamed[keys[1]]).type == "completed"
