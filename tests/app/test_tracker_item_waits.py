# ruff: noqa: F811  (the `jira` and `github` fixtures are imported from their tests' modules)
"""What a connected channel's item sends to its tracker and says while it waits, through the
real app, the Slack emulator and the Jira or GitHub emulator: a move that changes nothing
writes nothing there (nor a history line), and an item whose issue exists says its change is
not yet in the tracker, never that the item is not (which would have someone file it again)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import history, jira, seed_board  # noqa: F401
from tests.app.trackers import backlog_text, drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1, PO

BOARDS = {
    "jira": (seed_board, jira_connected, "issue.rank"),
    "github": (seed, github_connected, "graphql.updateProjectV2ItemPosition"),
}


@pytest.fixture(params=list(BOARDS))
def board(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """Each tracker in turn: its (seed, connect, rank route) and its emulator running."""
    return BOARDS[request.param], request.getfixturevalue(request.param)


async def test_a_move_to_where_the_item_stands_writes_no_rank_and_no_history(slack, board):
    (plant, connect, rank_route), em = board
    first, second, *_ = plant(em)
    await connect(slack, em)
    await drain(slack)
    top, next_one = (await item_by_key(slack, first)), (await item_by_key(slack, second))
    em.fail_next(429, route=rank_route, times=5)  # a write would wait and show as such
    for number, where in ((top.number, "top"), (next_one.number, "2")):
        await slack.driver.command("/backlog", f"move {number} {where}", user=PO, channel=CHANNEL)
        answer = shown(last_ephemeral(slack, PO))
        assert f"is already at position {1 if where == 'top' else 2}" in answer, answer
    await slack.driver.command("/backlog", f"show {top.number}", user=PO, channel=CHANNEL)
    await slack.driver.click("Move to top", user=PO, channel=CHANNEL)
    async with slack.db.transaction() as store:
        assert [j for j in await store.jobs() if j.payload.get("effect") == "rank"] == []
    await later(slack, 10)
    assert em.calls_to(rank_route) == [], "nothing moved, so nothing is written"
    for item in (top, next_one):
        assert "moved" not in [action for _, action, _ in await history(slack, item)]
    assert "not yet in" not in await backlog_text(slack)


async def test_a_linked_item_says_its_change_waits_a_new_one_that_it_is_not_yet_there(
    slack, github
):
    *_, last = seed(github)
    await github_connected(slack, github)
    number = (await item_by_key(slack, last)).number
    github.fail_next(429, route="graphql.updateProjectV2ItemPosition")
    github.fail_next(503, route="graphql.createIssue")
    await slack.driver.command("/backlog", f"move {number} top", user=PO, channel=CHANNEL)
    await slack.driver.command("/backlog", "add Apple Pay", user=DEV1, channel=CHANNEL)
    await drain(slack)
    await backlog_text(slack)
    lines = {
        b["block_id"]: json.dumps(b, ensure_ascii=False) for b in last_ephemeral(slack, PO).blocks
    }
    moved, added = lines[f"item-{number}"], lines["item-5"]
    said = "its change is not yet in GitHub: retrying (GitHub asked to wait)"
    assert f"|{last}> · " in moved and said in moved, moved
    assert "Apple Pay" in added and "its change" not in added, added
    assert ":hourglass_flowing_sand: not yet in GitHub: retrying (GitHub answered HTTP 503" in added
    await slack.driver.command("/backlog", f"show {number}", user=PO, channel=CHANNEL)
    assert said in shown(last_ephemeral(slack, PO)), "the item's view says it alike"
    await later(slack, 10)
    assert "not yet in GitHub" not in await backlog_text(slack), "both writes landed"
