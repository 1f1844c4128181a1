# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A running sprint on GitHub through the real app, the Slack emulator and the GitHub emulator
with ``iterations_replaced`` on (as GitHub does it, github/github-mcp-server#2953): once the
project's iteration field is written again by another client (another job's, a sprint added
ahead, say), every iteration has a new id and the id the sprint's link holds names nothing.
Closing the sprint in Timebox still reaches its iteration: the sprint write finds the open
sprint by the name Timebox gave it, ends it, and keeps the id it has now on the link; an
iteration already past its end (none open has the name) is over there, as closing asks. The
regular sync after such a write sees the sprint's issues under the new id: the sprint is not
taken as closed there and no issue as gone from it; its link follows the new id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from bot.runtime.secrets import Secret
from bot.trackers.github import GitHub, GitHubToken
from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import connected, github, seed  # noqa: F401
from tests.app.test_planning_slack import channel_posts, close_sprint
from tests.app.test_tracker_sprint_scope import scope
from tests.app.test_tracker_sync import running_sprint
from tests.app.trackers import SYNC, client_settings, drain, item_by_key, later
from tests.conftest import CHANNEL, PO


async def another_sprint_added(github: GitHubEmulator, slack: LocalStack, sleeps) -> None:
    """A sprint added to the project by another client (a job of its own): the field is
    written whole, and every iteration comes back with a new id."""
    client = GitHub(
        github.url,
        GitHubToken(Secret(github.token)),
        github.repository.full_name,
        1,
        **client_settings(github.host_setting, slack.clock, sleeps),
    )
    start = slack.clock.now() + timedelta(days=28)
    try:
        await client.create_sprint(
            trackers.SprintSpec("Sprint 7", "Later", start, start + timedelta(days=13))
        )
    finally:
        await client.aclose()


@pytest.mark.parametrize("days", [10, 13], ids=["still open", "past its end"])
async def test_the_running_sprint_closes_on_github_after_its_iteration_got_a_new_id(
    slack, github, sleeps, days
):
    """Closed in Timebox `days` after it began (its iteration, Timebox's working days, ends on
    day 11): no write of the close fails, the iteration is over, the link says closed, and
    holds the iteration's id now when the close found it open."""
    github.iterations_replaced = True
    keys = seed(github)
    await connected(slack, github)
    sprint_id = await running_sprint(slack, keys[:2])
    async with slack.db.transaction() as store:
        stored = (await store.sprint_link(sprint_id)).remote_id
    await another_sprint_added(github, slack, sleeps)
    assert stored not in {i.id for i in github._iteration_field().iterations}, "renewed"

    slack.clock.advance(timedelta(days=days))
    await close_sprint(slack, "Partly")
    await drain(slack)

    field = github._iteration_field()
    running = [i for i in field.iterations if i.is_open(github.today())]
    assert [i.title for i in running] == ["Sprint 7: Later"], "the sprint's iteration ended"
    async with slack.db.transaction() as store:
        link = await store.sprint_link(sprint_id)
    ended = next(i for i in field.iterations if i.title.startswith("Sprint 1"))
    assert link.state == "closed"
    if days == 10:
        assert link.remote_id == ended.id, "the link holds its id now"
    for key in keys[:2]:
        item = await item_by_key(slack, key)
        assert item.tracker_link.error is None and item.tracker_link.pending == 0


async def test_the_sync_after_the_running_iterations_new_id_keeps_the_sprint_as_it_was(
    slack, github, sleeps
):
    """A regular sync after another client's write renewed every iteration's id (each item put
    back in its iteration, so every one shows as changed): the sprint was not closed there
    and no issue left it, so the channel is told nothing, the sprint holds what it held with
    no scope change, the link follows the iteration's id now, and the next `/sprint add`
    lands in that iteration."""
    github.iterations_replaced = True
    keys = seed(github)
    await connected(slack, github)
    sprint_id = await running_sprint(slack, keys[:2])
    await later(slack, SYNC)  # the sync has seen both in the sprint
    held_before, _ = await scope(slack, sprint_id)
    posts_before = len(channel_posts(slack))
    await another_sprint_added(github, slack, sleeps)
    renewed = next(
        i.id for i in github._iteration_field().iterations if i.title.startswith("Sprint 1")
    )

    await later(slack, SYNC)
    await later(slack, SYNC)

    held, changes = await scope(slack, sprint_id)
    assert held == held_before and changes == [], "no issue left the sprint"
    assert [shown(p) for p in channel_posts(slack)[posts_before:]] == [], "no news"
    async with slack.db.transaction() as store:
        link = await store.sprint_link(sprint_id)
    assert (link.remote_id, link.state) == (renewed, "active"), "the link follows the new id"

    added = (await item_by_key(slack, keys[2])).number
    await slack.driver.command("/sprint", f"add {added} urgent", user=PO, channel=CHANNEL)
    await drain(slack)
    assert github.item(keys[2]).values.get(github._iteration_field().id) == renewed
