# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue done in the tracker (Jira, a GitHub project, Linear), then moved out of the sprint
there, stays done in Timebox's running sprint: no renegotiation, completed at the close, as
`/sprint remove` refuses for an item done here (tracker_sprints.scope_news: a finished item's
move out is no news). Alike when the sync sees both at once."""

from __future__ import annotations

import pytest

from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_scope import MOVE, committed, scope
from tests.app.test_tracker_sprint_work import kind_of, sprint_card
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import item_by_key, later


@pytest.mark.parametrize("seen_between", [True, False], ids=["two syncs", "one sync"])
async def test_an_issue_done_then_moved_out_there_stays_done_in_the_sprint(
    slack, board, seen_between
):
    tracker, em = board
    keys, sprint_id, _ = await committed(slack, tracker, em)
    key = keys[0]
    await later(slack, SYNC)  # the sync has seen it in the sprint
    before = await sprint_card(slack)

    tracker.close(em, key)
    if seen_between:
        await later(slack, SYNC)
        assert (await item_by_key(slack, key)).status == "done"
    MOVE[kind_of(tracker)](em, key, None)
    await later(slack, SYNC)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    held, changes = await scope(slack, sprint_id)
    assert item.number in held and item.status == "done", "still done in the sprint"
    assert changes == [], "no renegotiation"
    done = f":white_check_mark: *#{item.number}*"
    assert done not in before and done in await sprint_card(slack), "shown done on the card"
