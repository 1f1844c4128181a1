# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A Jira board that changes under a connection: an issue skipped because the board shifted
while the import waited between pages is imported by the next hourly look; an estimation
field switched by an admin is where the next estimate lands, and the syncs after read it."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import connect, history, jira, seed_board  # noqa: F401
from tests.app.trackers import (
    RECONCILE,
    SYNC,
    drain,
    estimate_by_poker,
    item_by_key,
    items,
    later,
)
from tests.conftest import CHANNEL, PO


async def test_an_issue_closed_in_jira_while_the_import_waits_loses_no_other_issue(slack, jira):
    """A team connects a board of 250 issues last changed a while ago. Jira answers 503 on
    the second page (100 issues a page), so the import waits 10 seconds; meanwhile someone
    closes the board's top issue in Jira. The import goes on from offset 100 of a board that
    now starts one issue later, so the 101st issue is not read by it, and, unchanged since, by
    no sync either. The team expects every open issue on `/backlog` all the same, each once:
    the first hourly look at the board after the import asks for the board's keys no item
    links and imports those that are backlog issues."""
    keys = jira.seed(250)
    slack.clock.advance(timedelta(days=2))
    await connect(slack, jira)
    jira.fail_next(503, route="board.backlog", after=1)
    await drain(slack)  # page 1 read; page 2 failed, to be tried again in 10 s
    assert len(await items(slack)) == 100
    jira.edit(keys[0], status="Done")

    await later(slack, 10)
    await later(slack, SYNC)
    await later(slack, RECONCILE)

    linked = {i.tracker_link.key for i in await items(slack, include_closed=True)}
    missing = [k for k in keys if k not in linked]
    assert missing == [], f"never imported: {missing}"


async def test_a_poker_estimate_lands_in_the_boards_new_estimation_field(slack, jira):
    """After connecting, the Jira admin switches the board's estimation to another field
    ("Story point estimate", as team-managed projects use). The team then estimates an item
    by poker and accepts 8: they expect the 8 points on the board (in the field it estimates
    with), or to be told estimates no longer reach it. The board's settings kept at connecting
    are read again before an estimate is written once they are an hour old: the estimate is
    written to the field the board estimates with now."""
    _, story, *_ = seed_board(jira)
    await connected(slack, jira)
    await drain(slack)
    jira.add_field("customfield_10042", "Story point estimate", kind="number")
    jira.set_estimation(1, "customfield_10042")
    await later(slack, RECONCILE)

    await estimate_by_poker(slack, story, "8")
    await later(slack, 30)

    await slack.driver.command("/timebox", "connect status", user=PO, channel=CHANNEL)
    status = shown(last_ephemeral(slack, PO))
    written = [c.body for c in jira.calls if c.route == "issue.edit"]
    assert jira.estimate_of(story) == 8 or "estimat" in status, (written, status)
    # The settings read again are kept: the syncs after read the new field, and the 8 stays.
    await later(slack, SYNC)
    await later(slack, RECONCILE)
    assert (await item_by_key(slack, story)).estimate == 8
    assert jira.estimate_of(story) == 8
