"""An item done in the running sprint is not archived: `/backlog remove` refuses it privately, as
`/sprint remove` does, saying how to reopen it first, and its completed points stay. An item
left archived and done in the sprint (archived before that refusal) comes fully back, as the
sprint's work, with one `/backlog restore`."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_sprint_points_slack import card
from tests.app.test_sprint_remove_done_slack import done_in_sprint
from tests.conftest import CHANNEL, DEV1, PO


async def test_backlog_remove_refuses_an_item_done_in_the_running_sprint(slack):
    await done_in_sprint(slack)  # #1 (5 points) done in sprint 1, #3 (3) not
    await backlog(slack, "remove 1")
    refused = shown(last_ephemeral(slack, PO))
    assert "#1 is done in sprint 1" in refused, refused
    assert "`/backlog restore 1`" in refused and "`/sprint remove 1 <reason>`" in refused, refused
    assert "Archived #1" not in refused, refused
    assert "*Status:* Done" in shown(await backlog(slack, "show 1"))
    assert "5 of 8 points done" in await card(slack)


async def test_an_item_done_with_backlog_done_in_the_sprint_is_not_archived_either(slack):
    await done_in_sprint(slack)
    await backlog(slack, "done 3", user=DEV1)
    assert "8 of 8 points done" in await card(slack)
    await backlog(slack, "remove 3")
    assert "#3 is done in sprint 1" in shown(last_ephemeral(slack, PO))
    assert "*Status:* Done" in shown(await backlog(slack, "show 3"))
    assert "8 of 8 points done" in await card(slack)


async def test_one_restore_brings_back_an_item_archived_while_done_in_the_sprint(slack):
    await done_in_sprint(slack)
    async with slack.db.transaction() as store:  # as the refusal's absence left it before
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        (await store.get_item(team, 1)).archived_at = slack.clock.now()
    assert "*Status:* Archived" in shown(await backlog(slack, "show 1"))
    restored = shown(await backlog(slack, "restore 1"))
    assert "#1 is back in its sprint" in restored, restored
    assert "*Status:* In the sprint" in restored, restored
    assert "0 of 8 points done" in await card(slack)
    assert "*Status:* In the sprint" in shown(await backlog(slack, "show 1"))
    await backlog(slack, "restore 1")
    again = shown(last_ephemeral(slack, PO))
    assert "nothing to restore" in again, again
    await cmd(slack, "/sprint", "remove 1 it was not done after all", PO)
    assert "Logged and announced" in shown(last_ephemeral(slack, PO))
    assert "0 of 3 points done" in await card(slack)
