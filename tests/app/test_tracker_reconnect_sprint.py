# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Disconnecting and connecting again to the same board (Jira, a GitHub project, Linear) while
a sprint runs, through the real app and each tracker's emulator: the running sprint is linked
again to the tracker's sprint (cycle, iteration) Timebox made for it, as its items are matched
again by their keys, so a move out of it made in the tracker afterwards, or while apart, is
followed, and the next sprint write of Timebox's never puts the issue back (no second sprint is
made either)."""

from __future__ import annotations

from typing import Any

from bot.domain.tracker_sync import tracker_name
from bot.emulator.stack import LocalStack
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reconnect import disconnected
from tests.app.test_tracker_reconnect_all import reconnected
from tests.app.test_tracker_renew_token import SPRINT_OF, SPRINTS
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_scope import MOVE, committed, scope
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, PO


async def test_reconnecting_links_the_running_sprint_again(slack, board):
    tracker, em = board
    _, sprint_id, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)
    await disconnected(slack)

    await reconnected(slack, tracker, em)

    async with slack.db.transaction() as store:
        known = await store.sprint_link(sprint_id)
        connection = await store.connection((await store.sprint_by_id(sprint_id)).team_id)
        assert known is not None, "the running sprint is linked to its sprint there again"
        assert (known.remote_id, known.connection_id) == (remote, connection.id)


async def followed_and_never_undone(
    slack: LocalStack, kind: str, em: Any, keys: list[str], sprint_id: int, remote: str
) -> None:
    """The first of `keys`, taken out of the tracker's sprint `remote`, left the running
    sprint as a logged renegotiation; then the second is added to it in Slack, which puts
    only that one in the same sprint there, and no second sprint is made."""
    leaving = keys[0]
    left = await item_by_key(slack, leaving)
    held, changes = await scope(slack, sprint_id)
    assert left.number not in held and left.status == "open", "followed: back on the backlog"
    assert [(c.action, c.reason) for c in changes] == [
        ("removed", f"{leaving} was taken out of Sprint 1 in {tracker_name(kind)}")
    ]
    joining = (await item_by_key(slack, keys[1])).number
    await slack.driver.command(
        "/sprint", f"add {joining} the customer escalated it", user=PO, channel=CHANNEL
    )
    await drain(slack)
    await later(slack, SYNC)

    assert SPRINT_OF[kind](em, leaving) in ("None", ""), "never put back in the sprint there"
    assert SPRINT_OF[kind](em, keys[1]) == remote, "the added one joined the same sprint"
    assert remote in SPRINTS[kind](em) and len(SPRINTS[kind](em)) == 1, "no second sprint made"
    assert left.number not in (await scope(slack, sprint_id))[0]


async def test_a_move_out_there_after_reconnecting_is_followed_and_never_undone(slack, board):
    """The tester's steps: connected again, an issue taken out of the cycle (iteration,
    sprint) in the tracker, then another item added to the sprint in Slack."""
    tracker, em = board
    kind = kind_of(tracker)
    keys, sprint_id, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)
    await disconnected(slack)
    await reconnected(slack, tracker, em)

    MOVE[kind](em, keys[0], None)
    await later(slack, SYNC)

    await followed_and_never_undone(slack, kind, em, keys, sprint_id, remote)


async def test_a_move_out_there_while_disconnected_is_followed_on_reconnecting(slack, board):
    """Taken out of the tracker's sprint while the channel was disconnected: matched again,
    it leaves the running sprint here too, and no sprint write puts it back there."""
    tracker, em = board
    kind = kind_of(tracker)
    keys, sprint_id, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)
    await disconnected(slack)
    MOVE[kind](em, keys[0], None)

    await reconnected(slack, tracker, em)
    await later(slack, SYNC)

    await followed_and_never_undone(slack, kind, em, keys, sprint_id, remote)
