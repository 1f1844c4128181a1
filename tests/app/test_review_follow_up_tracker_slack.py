# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A review's follow-up in a channel connected to a tracker, through the real app and each
tracker's emulator: the follow-up is created in the tracker as an item added with
`/backlog add` is (README: an item added here is created there), so its later edits reach
its issue too."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_review_follow_up_slack import failed_in_review
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reconnect import TITLE, retitled_in_slack
from tests.app.test_tracker_reopen import board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import WORKSPACE, drain
from tests.conftest import CHANNEL, PO

FOLLOW_UP = 4  # the review's sprint has #1 to #3


async def link_of(slack: LocalStack, number: int):
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        item = await store.get_item(team, number)
        return item.title, item.tracker_link


async def test_a_follow_up_is_created_in_the_connected_tracker_and_its_edits_follow(slack, board):
    tracker, em = board
    await tracker.connect(slack, em)  # an empty board: the review's items are #1 to #3
    failed = await failed_in_review(slack)
    await drain(slack)

    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=failed)
    redrawn = slack.emulator.find_message(CHANNEL, failed.ts)
    assert f"Follow-up #{FOLLOW_UP} is on the backlog" in shown(redrawn), shown(redrawn)
    await drain(slack)

    title, link = await link_of(slack, FOLLOW_UP)
    assert link is not None and link.key, "created in the tracker, as `/backlog add` does"
    assert link.pending == 0 and link.error is None
    assert TITLE[kind_of(tracker)](em, link.key) == title

    await retitled_in_slack(slack, FOLLOW_UP, "Switch dark mode on by default")
    await drain(slack)
    assert TITLE[kind_of(tracker)](em, link.key) == "Switch dark mode on by default"
