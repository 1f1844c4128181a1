# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The running sprint's scope changed in the tracker right after Timebox's own sprint write,
before any sync saw that write's work, alike for Jira, a GitHub project and Linear, through the
real app and each tracker's emulator: where Timebox's write put an issue is where the sync last
saw it, so a move out of the sprint made there at once is followed (announced, logged) and
never undone by the next sprint write; and an issue closed as won't do in the tracker leaves
the running sprint announced in the channel, as a move out of it is."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import channel_posts
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_not_planned import NOT_PLANNED
from tests.app.test_tracker_renew_token import SPRINT_OF
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_scope import MOVE, committed, scope
from tests.app.test_tracker_sprint_work import in_a_running_sprint, kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import item_by_key, later
from tests.conftest import PO


async def test_a_move_out_right_after_the_commit_is_followed_not_undone(slack, board):
    """The tester's steps: the sprint committed and written to the tracker, then at once, in
    the tracker, one issue added to the sprint and one of the committed ones moved out."""
    tracker, em = board
    kind = kind_of(tracker)
    keys, sprint_id, remote = await committed(slack, tracker, em)
    leaving, joining = keys[0], keys[1]
    assert SPRINT_OF[kind](em, leaving) == remote, "Timebox's commitment put it there"

    MOVE[kind](em, joining, remote)
    MOVE[kind](em, leaving, None)
    await later(slack, SYNC)
    await later(slack, SYNC)

    left, joined = await item_by_key(slack, leaving), await item_by_key(slack, joining)
    held, changes = await scope(slack, sprint_id)
    assert joined.number in held and left.number not in held, "both moves followed"
    assert sorted((c.action, c.item_number) for c in changes) == [
        ("added", joined.number),
        ("removed", left.number),
    ]
    assert left.status == "open", "back on the backlog"
    assert SPRINT_OF[kind](em, leaving) in ("None", ""), "never put back in the sprint"
    assert SPRINT_OF[kind](em, joining) == remote
    told = [shown(m) for m in channel_posts(slack)]
    assert any(
        f"*#{left.number}*" in t and "leaves sprint 1 here too, back on the backlog" in t
        for t in told
    ), told


async def test_a_sprint_item_closed_as_wont_do_is_announced_as_it_leaves(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    key, sprint_id = await in_a_running_sprint(slack, tracker, em)
    item = await item_by_key(slack, key)

    NOT_PLANNED[kind](em, key)
    await later(slack, SYNC)

    held, (change,) = await scope(slack, sprint_id)
    assert item.number not in held and change.action == "removed"
    told = shown(channel_posts(slack)[-1])
    assert told.startswith(f":arrows_counterclockwise: <@{PO}>: {change.reason}: *#{item.number}*")
    assert f"{key} was closed as" in change.reason
    assert "(3 pts) leaves sprint 1 here too, archived, as a logged renegotiation" in told
    assert "back on the backlog" not in told
    await later(slack, SYNC)
    assert shown(channel_posts(slack)[-1]) == told, "told once"
