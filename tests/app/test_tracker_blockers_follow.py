"""An item blocked by an issue in the tracker ("is blocked by") follows its blocker: closed
there, the dependency reads resolved, and open again when the blocker is reopened. Before,
the link stayed "not resolved" until the blocked issue itself changed in the tracker."""

from __future__ import annotations

from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later

SYNC = 600  # seconds on: the regular sync has run


async def test_a_blocker_closed_in_jira_resolves_the_dependency_and_reopened_opens_it(
    slack,
    jira,  # noqa: F811
):
    _, story, blocker, _ = seed_board(jira)  # the story is blocked by the blocker
    await connected(slack, jira)
    await drain(slack)
    assert (await item_by_key(slack, story)).dependencies[0]["resolved"] is False
    jira.edit(blocker, status="Done")
    await later(slack, SYNC)
    blocked = await item_by_key(slack, story)
    assert blocked.dependencies == [{"text": blocker, "resolved": True, "tracker": blocker}]
    jira.edit(blocker, status="To Do")
    await later(slack, SYNC)
    assert (await item_by_key(slack, story)).dependencies[0]["resolved"] is False
