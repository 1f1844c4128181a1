"""An issue closed as not planned on GitHub, then its item marked done in Timebox before any
sync: the later change wins, and GitHub's issue is closed as completed, as Timebox says it
will be; it is not left "not planned" while Timebox counts the item delivered."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import connected, seed
from tests.app.test_github_sync import github as github  # the app's fixture
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, PO


async def test_done_in_timebox_after_a_not_planned_close_on_github_closes_it_completed(
    slack: LocalStack, github: GitHubEmulator
) -> None:
    """Timebox said the issue would be closed: closed it is, as completed (the write does
    not stop at "closed already" when the reason differs)."""
    *_, task = seed(github)
    await connected(slack, github)
    number = (await item_by_key(slack, task)).number

    github.edit(task, state="closed", state_reason="not_planned")
    slack.clock.advance(timedelta(minutes=1))
    await slack.driver.command("/backlog", f"done {number}", user=PO, channel=CHANNEL)
    assert "will be closed too" in shown(last_ephemeral(slack, PO))
    await drain(slack)
    await later(slack, 301)
    await later(slack, 3600)

    item = await item_by_key(slack, task)
    assert item.status == "done"
    assert github.issue(task).state == "closed"
    assert github.issue(task).state_reason == "completed"
