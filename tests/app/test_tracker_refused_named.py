# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A write the tracker refuses on a done item (Jira's Done step needs a field Timebox does not
set) can be found: the connection's status names the items whose writes fail, a few by number,
each with the tracker's words and whether it is retried, and how many more there are. Before,
it said "`/backlog` shows which", though `/backlog` lists open items only and the done item's
refused close was on no list."""

from __future__ import annotations

from typing import Any

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect
from bot.usecases.unit import Actor
from handlers.blocks.connect import status_message
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1

NEEDED = "customfield_10099"


async def refused_done(slack: LocalStack, jira: JiraEmulator, *keys: str) -> list[int]:
    """Each issue's item done with `/backlog done` while Jira's Done step needs a field: its
    close refused for good; the regular sync has run since (it clears the last error)."""
    jira.done_needs = {NEEDED}
    numbers = []
    for key in keys:
        number = (await item_by_key(slack, key)).number
        await backlog(slack, f"done {number}")
        numbers.append(number)
    await drain(slack)
    await later(slack, 6 * 60)
    for key in keys:
        link = (await item_by_key(slack, key)).tracker_link
        assert link.pending == 0 and link.error and NEEDED in link.error, "refused for good"
        assert not jira.issues[key].done, "still open in Jira"
    return numbers


async def status_shown(slack: LocalStack) -> str:
    """The connection's status as `/timebox connect status` renders it, with the failing items
    the status names (``tracker.failing_items``)."""
    actor = Actor(WORKSPACE, CHANNEL, DEV1, None)
    found: Any = await tracker_connect.connection_status(slack.services, actor)
    async with slack.db.transaction() as store:
        found.failing_items = await tracker_uc.failing_items(store, found.connection)
    message = status_message(found)
    return str(message["text"]).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def test_the_status_names_a_done_item_whose_close_the_tracker_refused(slack, jira):
    *_, task = seed_board(jira)
    await connected(slack, jira)
    [number] = await refused_done(slack, jira, task)

    status = await status_shown(slack)

    assert "behind: some of Timebox's changes fail to reach Jira" in status, status
    assert f"#{number} refused by Jira (Jira refused to move {task} to Done: {NEEDED}" in status
    assert "make it in Jira" in status and "more" not in status
    assert "`/backlog` shows which" not in status


async def test_the_status_names_a_few_and_counts_the_rest(slack, jira):
    keys = seed_board(jira)
    await connected(slack, jira)
    numbers = sorted(await refused_done(slack, jira, *keys))

    status = await status_shown(slack)

    for number in numbers[: tracker_uc.REFUSED_SHOWN]:
        assert f"#{number} refused by Jira" in status, status
    assert f"#{numbers[-1]} refused" not in status
    assert f"; and {len(numbers) - tracker_uc.REFUSED_SHOWN} more." in status, status


async def test_nothing_is_read_when_no_write_fails(slack, jira):
    seed_board(jira)
    await connected(slack, jira)
    async with slack.db.transaction() as store:
        connection = await store.connection((await store.team(WORKSPACE, CHANNEL)).id)
        assert await tracker_uc.failing_items(store, connection) == []


async def test_connect_status_names_the_refused_item(slack, jira):
    *_, task = seed_board(jira)
    await connected(slack, jira)
    [number] = await refused_done(slack, jira, task)

    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)

    assert f"#{number} refused by Jira" in shown(last_ephemeral(slack, DEV1))
