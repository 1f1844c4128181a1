# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A scope change of the running sprint, written to Jira through the real app and the Jira
emulator, moves its issue and nothing more: the sprint Timebox started there once (its link
remembers so) is not started again on every write, which Jira refuses (a 400) and which then
costs a look at the sprint too."""

from __future__ import annotations

from tests.app.test_tracker_sync import connect, jira, running_sprint, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key
from tests.conftest import CHANNEL, PO


async def test_a_scope_change_does_not_start_the_started_sprint_again(slack, jira):
    keys = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    sprint_id = await running_sprint(slack, keys[:1])
    assert len(jira.calls_to("sprint.update")) == 1, "started once, at commit"
    async with slack.db.transaction() as store:
        assert (await store.sprint_link(sprint_id)).state == "active"
    jira.reset_calls()

    for key in keys[2:4]:
        number = (await item_by_key(slack, key)).number
        await slack.driver.command("/sprint", f"add {number} urgent", user=PO, channel=CHANNEL)
        await drain(slack)

    moved = jira.calls_to("sprint.issues")
    assert len(moved) == 2, "each scope change moved its issue into the sprint"
    assert jira.calls_to("sprint.update") == [], "no start of the started sprint again"
    assert jira.calls_to("sprint.get") == []
    assert [c for c in jira.calls if c.status >= 400] == []
