# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A rank write lays the Product Owner's move on the board as it is when the write runs, alike
for Jira, a GitHub project and Linear: the board reordered there unseen (no webhook, no sync
yet), an item moved to the bottom (top) of the backlog lands at the bottom (top) of the board,
not next to the item Timebox last saw there."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.tracker_order import RankWish
from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import board  # noqa: F401
from tests.app.test_tracker_reorders import linked_keys
from tests.app.test_tracker_sprint_work import RECONCILE
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import PO


def dragged(em: Any, key: str, *, top: bool) -> None:
    """A person drags `key` to the top (else the bottom) of the board in the tracker."""
    keys = [k for k in em.backlog_keys() if k != key]
    kind = type(em).__name__
    if kind == "JiraEmulator":
        em.rerank(key, **({"before": keys[0]} if top else {"after": keys[-1]}))
    elif kind == "GitHubEmulator":
        em.move(key, 0 if top else len(em.project_keys()) - 1)
    else:
        orders = [em.issues[k].sort_order for k in keys]
        em.edit(key, sort_order=min(orders) - 1 if top else max(orders) + 1)


@pytest.mark.parametrize("where", ["bottom", "top"])
async def test_a_move_to_an_end_lands_at_the_boards_end_though_the_board_changed_unseen(
    slack, board, where
):
    tracker, em = board
    tracker.seed(em)
    await tracker.connect(slack, em)
    await drain(slack)
    seen = await linked_keys(slack)
    assert em.backlog_keys() == seen
    # the tracker's far end dragged to this end, Timebox not told
    dragged(em, seen[0] if where == "bottom" else seen[-1], top=where == "top")
    assert await linked_keys(slack) == seen, "Timebox has not seen the drag"
    moved = seen[1]

    await backlog(slack, f"move {(await item_by_key(slack, moved)).number} {where}", user=PO)
    await drain(slack)

    board_now = em.backlog_keys()
    assert board_now[-1 if where == "bottom" else 0] == moved, board_now
    await later(slack, RECONCILE)
    timebox = await linked_keys(slack)
    assert timebox[-1 if where == "bottom" else 0] == moved, "where the PO put it, both sides"
    assert timebox == em.backlog_keys()


def test_between_two_neighbours_the_one_still_in_its_place_on_the_board_is_the_anchor():
    wish = RankWish.of([(1, "A"), (2, "B"), (3, "X"), (4, "C"), (5, "D")], 3)
    assert wish is not None
    assert wish.anchor(["A", "B", "C", "X", "D"]) == ("after", "B"), "in step: after above"
    assert wish.anchor(["A", "C", "D", "B", "X"]) == ("before", "C"), "B dragged away"
    assert wish.anchor(["B", "X", "A", "C", "D"]) == ("before", "C"), "A dragged away"
    assert wish.anchor(["A", "B", "D", "X", "C"]) == ("after", "B"), "C dragged away"
    assert wish.anchor(["B", "A", "D", "X", "C"]) == ("after", "B"), "neither in place"
    assert RankWish.of([(1, "A"), (3, None)], 3) is None, "not linked"
    assert RankWish.of([(1, None), (3, "X")], 3) is None, "nothing to rank against"
    assert wish.anchor(["X"]) is None, "the board holds no other"


def test_an_item_whose_move_is_pending_is_passed_over_while_another_will_do():
    wish = RankWish.of([(1, "A"), (2, "B"), (3, "X")], 3, moving={2})
    assert wish is not None
    assert wish.anchor(["A", "X", "B"]) == ("after", "A"), "B's own move is not there yet"
    only = RankWish.of([(2, "B"), (3, "X")], 3, moving={2})
    assert only is not None and only.anchor(["X", "B"]) == ("after", "B"), "none other will"
