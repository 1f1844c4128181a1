# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A sprint closed with unfinished items, through the real app, the Slack emulator and each
tracker's emulator: the items go back to the top of the product backlog, and their new ranks
are written to the tracker as a move's are (one rank write each, through the outbox), so the
syncs after it leave them there instead of moving them back where the tracker had them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from storage.models import BacklogItem
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import close_sprint, cmd, posted
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, Tracker, board  # noqa: F401
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, items, later
from tests.conftest import DEV1, PO


async def sprint_taking(slack: LocalStack, taken: list[BacklogItem]) -> None:
    """Sprint 1 planned and committed with the `taken` items (the customer asked for them)."""
    await cmd(slack, "/planning", "start 1h")
    for item in taken:
        await cmd(slack, "/planning", f"add {item.number} the customer asked")
    await cmd(slack, "/planning", "goal By the end we expect happy customers", PO)
    await cmd(slack, "/planning", "commit team")
    assert posted(slack, "*Sprint 1 is committed*")


async def closed_with_unfinished(
    slack: LocalStack, board: tuple[Tracker, Any], *, finished: int, days: int = 13
) -> tuple[list[BacklogItem], list[BacklogItem]]:
    """The board seeded and connected; sprint 1 takes the last two items (at the bottom, in
    the tracker's order too), `finished` of them done, and closes on its last day (or `days`
    after it started: 0, the day it started), every write and two syncs run after it. The
    backlog before the sprint, and the items that went back to its top."""
    tracker, em = board
    tracker.seed(em)
    await tracker.connect(slack, em)
    before = await items(slack)
    assert [i.tracker_link.key for i in before] == em.backlog_keys(), "imported in its order"
    taken = before[-2:]
    await sprint_taking(slack, taken)
    for item in taken[:finished]:
        await cmd(slack, "/sprint", f"done {item.number}", DEV1)
    await drain(slack)

    slack.clock.advance(timedelta(days=days))  # by default the sprint's last day
    closed = await close_sprint(slack, "Partly")
    unfinished = taken[finished:]
    numbers = ", ".join(f"#{i.number}" for i in unfinished)
    assert f"Back at the top of the product backlog for the PO to order: {numbers}." in closed
    await drain(slack)
    await later(slack, SYNC)
    await later(slack, SYNC)
    return before, unfinished


@pytest.mark.parametrize("finished", [1, 0], ids=["one back", "two back"])
async def test_unfinished_items_stay_on_top_of_the_backlog_after_the_syncs(
    slack: LocalStack, board: tuple[Tracker, Any], finished: int
):
    """One item back on top, or two together: neither of two is ranked next to the other
    while the other's own write is still to run (it would land where the tracker had it)."""
    before, unfinished = await closed_with_unfinished(slack, board, finished=finished)

    after = await items(slack)
    expected = [*unfinished, *before[:-2]]
    assert [i.number for i in after] == [i.number for i in expected], "still on top"
    _, em = board
    assert em.backlog_keys() == [i.tracker_link.key for i in expected], "ranked in the tracker"
    for item in after:
        assert item.tracker_link.pending == 0 and item.tracker_link.error is None


async def test_a_sprint_closed_the_day_it_started_leaves_its_unfinished_issue_on_the_backlog(
    slack: LocalStack, board: tuple[Tracker, Any]
):
    """Its unfinished issue is on the tracker's backlog again, as after any close, and the
    tracker's sprint is over. On GitHub an iteration lasts a day at least, so one that began
    today is ended as yesterday's one day: left to end tomorrow it would still be GitHub's
    current iteration, the unfinished issue in it."""
    _, [unfinished] = await closed_with_unfinished(slack, board, finished=1, days=0)

    _, em = board
    key = unfinished.tracker_link.key
    assert key in em.backlog_keys(), "out of the closed sprint, on the tracker's backlog"
    if isinstance(em, GitHubEmulator):
        assert em._open_iterations() == [], "the iteration is no longer current"
    back = (await items(slack))[0]
    assert (back.id, back.status, back.archived_at) == (unfinished.id, "open", None), "on top"
    assert back.tracker_link.pending == 0 and back.tracker_link.error is None
