# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Disconnecting and connecting again (the same board), alike for Jira, a GitHub project and
Linear, through the real app and each tracker's emulator: the items are matched by key, and a
field edited on one side while the channel was not connected is not lost: the later change
wins (an edit of Timebox's is written to the tracker), with a conflict line when both sides
changed it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, PO

RETITLE: dict[str, Callable[[Any, str, str], object]] = {
    "jira": lambda jira, key, title: jira.edit(key, summary=title),
    "github": lambda github, key, title: github.edit(key, title=title),
    "linear": lambda linear, key, title: linear.edit(key, title=title),
}
TITLE: dict[str, Callable[[Any, str], str]] = {
    "jira": lambda jira, key: jira.issues[key].summary,
    "github": lambda github, key: github.issue(key).title,
    "linear": lambda linear, key: linear.issues[key].title,
}


async def retitled_in_slack(slack: LocalStack, number: int, title: str) -> None:
    """The PO retitles item ``number`` through `/backlog edit`'s form."""
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    assert view is not None and view.callback_id == "item_edit"
    await slack.driver.submit(view, {"Title": title}, user=PO)
    assert "changed title" in shown(last_ephemeral(slack)), shown(last_ephemeral(slack))


async def disconnected(slack: LocalStack) -> None:
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    assert "no longer connected" in shown(last_ephemeral(slack, PO))


async def test_an_edit_made_while_disconnected_survives_connecting_again(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    number = (await item_by_key(slack, key)).number
    await later(slack, SYNC)
    await disconnected(slack)
    await later(slack, 60)
    await retitled_in_slack(slack, number, "Pay by card, edited while apart")
    em.reset_calls()

    await later(slack, 60)
    await tracker.connect(slack, em)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.title == "Pay by card, edited while apart", "Timebox's later edit kept"
    assert TITLE[kind](em, key) == "Pay by card, edited while apart", "and written there"
    lines = [(who, action, changes) for who, action, changes in await history(slack, item)]
    assert not [c for who, a, c in lines if who == kind and a == "edited" and "title" in c]
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None


async def test_both_sides_edited_while_disconnected_keeps_the_later_with_a_conflict_line(
    slack, board
):
    tracker, em = board
    kind = kind_of(tracker)
    key, other, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    number = (await item_by_key(slack, key)).number
    other_number = (await item_by_key(slack, other)).number
    await later(slack, SYNC)
    await disconnected(slack)
    await later(slack, 60)
    RETITLE[kind](em, key, "Theirs, earlier")
    await retitled_in_slack(slack, other_number, "Ours, earlier")
    await later(slack, 60)
    await retitled_in_slack(slack, number, "Ours, later")
    RETITLE[kind](em, other, "Theirs, later")

    await later(slack, 60)
    await tracker.connect(slack, em)
    await later(slack, SYNC)
    await drain(slack)

    ours = await item_by_key(slack, key)
    assert ours.title == "Ours, later" and TITLE[kind](em, key) == "Ours, later"
    *_, (who, action, changes) = await history(slack, ours)
    assert (who, action, changes["kept"]) == (kind, "conflict", "Timebox")
    theirs = await item_by_key(slack, other)
    assert theirs.title == "Theirs, later" and TITLE[kind](em, other) == "Theirs, later"
    conflicts = [c for _, a, c in await history(slack, theirs) if a == "conflict"]
    assert [c["kept"] for c in conflicts] == [
        {"jira": "Jira", "github": "GitHub"}.get(kind, "Linear")
    ]
