"""Words said after a sprint: the review's follow-up post names the item it follows up once
(its title names it), and a closed sprint with no task hours is told so, not sent to plan
tasks it can no longer have."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.app.test_refine_slack import thread
from tests.app.test_review_slack import review, sprint_with_done_items, verdict
from tests.conftest import DEV1, PO


async def test_the_follow_up_post_names_the_item_it_follows_up_once(slack):
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    await verdict(slack, 2, "Not confirmed", "Nobody switched it on", user=DEV1)
    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=thread(slack)[-1])
    post = shown(thread(slack)[-1])
    assert "*#4* Follow up #2: Dark mode is on the backlog." in post, post
    assert post.count("#2") == post.count("*#4* Follow up #2"), "#2 is named once"


async def test_a_closed_sprints_burndown_in_hours_without_hours_says_so(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    slack.clock.advance(timedelta(days=13))
    await close_sprint(slack, "Yes")
    await cmd(slack, "/sprint", "burndown 1 hours", DEV1)
    said = shown(last_ephemeral(slack, DEV1))
    assert "Sprint 1 is closed, and none of its tasks had hours" in said, said
    assert "`/sprint burndown 1` draws it in points" in said
    assert "/sprint tasks" not in said, "a closed sprint's tasks are not planned any more"
