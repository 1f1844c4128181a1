# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""A Jira admin switches the field a board estimates with: once the board's settings are an
hour old, the hourly look at the board reads them again, and the syncs after read estimates
from the new field, with no estimate written from Timebox; the settings cost one call an
hour, not one a sync."""

from __future__ import annotations

from tests.app.test_jira_reconcile import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import RECONCILE, SYNC, item_by_key, later

NEW_FIELD = "customfield_10042"


async def test_the_syncs_read_estimates_from_the_field_the_board_estimates_with_now(slack, jira):
    """After connecting, the Jira admin switches the board's estimation to another field
    ("Story point estimate", as team-managed projects use). An hour and more later someone
    estimates a story 13 on the board (in that field). Nobody writes an estimate from
    Timebox, yet the team expects 13 on the item at the next sync: the board's settings kept
    at connecting are read again by the hourly look at the board once they are an hour old,
    and kept, so the syncs after read the new field. Over the next hour of syncs (a dozen)
    the settings are read once more, by the next look, not once a sync."""
    _, story, *_ = seed_board(jira)
    await connected(slack, jira)
    jira.add_field(NEW_FIELD, "Story point estimate", kind="number")
    jira.set_estimation(1, NEW_FIELD)
    await later(slack, RECONCILE)

    jira.edit(story, estimate=13)
    await later(slack, SYNC)

    assert jira.estimate_of(story) == 13
    assert (await item_by_key(slack, story)).estimate == 13
    assert len(jira.calls_to("board.configuration")) == 1, "read again once, an hour on"

    jira.reset_calls()
    for _ in range(12):
        await later(slack, SYNC)
    changes = [c for c in jira.calls_to("search.jql") if "updated >=" in c.body["jql"]]
    assert len(changes) >= 12, "a sync every five minutes"
    assert len(jira.calls_to("board.configuration")) == 1, "once an hour, not once a sync"
    assert (await item_by_key(slack, story)).estimate == 13
