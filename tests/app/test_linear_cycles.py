# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Cycles of a Linear team and Timebox's sprints, through the real app, the Slack emulator and
the Linear emulator: what a team does in Linear around a sprint Timebox writes."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_planning_slack import close_sprint, cmd
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, linear_connected, linear_seeded, seed_linear
from tests.app.test_tracker_sprint_close import sprint_taking
from tests.app.test_tracker_sync import committed_sprint
from tests.app.trackers import RECONCILE, drain, items, later
from tests.conftest import DEV1


async def test_an_issue_deleted_in_linear_does_not_keep_the_others_out_of_the_cycle(slack, linear):
    """A sprint of three items is committed; before its write runs, the team deletes the
    first of its issues in Linear for good. Proves the two issues left land in the sprint's
    cycle (one deleted issue does not stop the others' move, now or after the hourly look)."""
    keys = await linear_seeded(slack, linear)
    sprint_id = await committed_sprint(slack, keys, "Cards")
    linear.remove_issue(keys[0], permanently=True)

    await drain(slack)
    await later(slack, RECONCILE)
    await later(slack, RECONCILE)

    async with slack.db.transaction() as store:
        link = await store.sprint_link(sprint_id)
    assert link is not None and link.remote_id in linear.cycles
    assert linear.cycle_keys(link.remote_id) == keys[1:]


async def test_a_sprint_closed_after_linear_rolled_its_cycle_over_puts_work_back(slack, linear):
    """Linear ends a cycle by itself at its end and rolls its unfinished issues over to the
    next cycle (Linear's docs, "Cycle automations"). The Scrum Master closes the sprint the
    next morning, after Linear did: Timebox puts its unfinished item back on top of the
    backlog. Proves its issue is back on Linear's backlog too (out of the next cycle, which no
    sprint of Timebox committed it to), and stays there after the syncs."""
    seed_linear(linear)
    await linear_connected(slack, linear)
    await drain(slack)
    taken = (await items(slack))[-2:]
    await sprint_taking(slack, taken)
    await cmd(slack, "/sprint", f"done {taken[0].number}", DEV1)
    await drain(slack)
    [cycle] = linear.cycles.values()
    unfinished = taken[1].tracker_link.key
    assert linear.issues[unfinished].cycle_id == cycle.id
    upcoming = linear._make_cycle(
        linear.team, cycle.ends, cycle.ends + 14 * 24 * 3600 * 1000, None, None
    )
    linear.roll_over_cycles = True

    slack.clock.advance(timedelta(days=14, hours=1))  # Linear closed the cycle overnight
    closed = await close_sprint(slack, "Partly")
    assert (
        f"Back at the top of the product backlog for the PO to order: #{taken[1].number}" in closed
    )
    await drain(slack)
    await later(slack, SYNC)
    await later(slack, SYNC)

    assert cycle.completed is not None and linear.issues[unfinished].cycle_id != cycle.id
    assert linear.issues[unfinished].cycle_id is None, "out of the next cycle"
    assert unfinished in linear.backlog_keys() and upcoming.id in linear.cycles
    back = (await items(slack))[0]
    assert (back.number, back.status) == (taken[1].number, "open"), "on top, on the backlog"
