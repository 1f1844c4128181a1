"""An item done in the running sprint stays in it: `/sprint remove` refuses it privately, saying
why and what to type instead, and its done status and completed points are kept. Reopened
first (`/backlog restore`, the PO's), it can leave the sprint as any unfinished item does."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import channel_posts, cmd, commit_sprint, setup
from tests.app.test_sprint_commit_recorded_export_slack import sprint_file
from tests.app.test_sprint_points_slack import card
from tests.conftest import DEV1, PO


async def done_in_sprint(slack) -> None:
    """#1 (5 points) and #3 (3) committed in sprint 1; #1 done."""
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    await cmd(slack, "/sprint", "done 1", DEV1)
    assert "5 of 8 points done" in await card(slack)


async def test_removing_a_done_item_is_refused_and_it_stays_done(slack):
    await done_in_sprint(slack)
    await slack.services.jobs.run_due()
    posts = len(channel_posts(slack))
    await cmd(slack, "/sprint", "remove 1 done but remove", PO)
    refused = shown(last_ephemeral(slack, PO))
    assert "#1 is done in sprint 1" in refused, refused
    assert "`/backlog restore 1`" in refused and "`/sprint remove 1 <reason>`" in refused, refused
    assert "Logged and announced" not in refused, refused
    await slack.services.jobs.run_due()
    assert len(channel_posts(slack)) == posts, "no renegotiation is announced"
    assert "5 of 8 points done" in await card(slack)
    assert "*Status:* Done" in shown(await backlog(slack, "show 1"))
    assert "No scope changes." in await sprint_file(slack), "nothing logged"


async def test_a_done_item_reopened_first_can_then_be_removed(slack):
    await done_in_sprint(slack)
    await backlog(slack, "restore 1")
    assert "0 of 8 points done" in await card(slack)
    await cmd(slack, "/sprint", "remove 1 it was not done after all", PO)
    assert "Logged and announced" in shown(last_ephemeral(slack, PO))
    assert "0 of 3 points done" in await card(slack)
    assert "*Status:* Open" in shown(await backlog(slack, "show 1"))
