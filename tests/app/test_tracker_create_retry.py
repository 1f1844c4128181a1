# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An item's create retried after the tracker's answer said nothing sure (a 5xx to a create,
which may have been made: the client says ``maybe_applied``), through the real app, the Slack
emulator and each tracker's emulator. The retry looks first for the issue made meanwhile, by
its title, and takes only one made since the create was asked for that no item is linked to:
never the issue another item of the same title holds, edited in the tracker meanwhile (taking
it broke the links' one-key-per-team rule on every retry, and the item never reached the
tracker). One rule for Jira, GitHub and Linear (bot.usecases.tracker_push ``_created_already``);
run here for Jira and Linear, whose issues say when they were made. A failure of Timebox's
own after the create (the issue made, its record lost) is said as such on the item, not as the
tracker's earlier reason, and the retry finds the issue made and takes it, making no copy. An
issue found free but linked to another item before the create is recorded is left to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker_push
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_connected, seed_linear
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, items, later
from tests.conftest import DEV1


@dataclass(frozen=True)
class Tracker:
    """A tracker as these tests need it: its board seeded and connected, the route of its
    create call, an edit made there by a person, and the titles of its issues."""

    name: str
    seed: Callable[[Any], list[str]]
    connect: Callable[[LocalStack, Any], Awaitable[object]]
    create_call: str
    edit: Callable[[Any, str], object]
    titles: Callable[[Any], list[tuple[str, str]]]  # (key, title) of every issue

    def made(self, em: Any, title: str) -> list[str]:
        return [key for key, named in self.titles(em) if named == title]


def linear_titles(linear: LinearEmulator) -> list[tuple[str, str]]:
    return [(i.identifier, i.title) for i in linear.issues.values()]


TRACKERS = {
    "jira": Tracker(
        "Jira",
        seed_board,
        jira_connected,
        "issue.create",
        lambda jira, key: jira.edit(key, description="Refund to the card"),
        lambda jira: [(i.key, i.summary) for i in jira.issues.values()],
    ),
    "linear": Tracker(
        "Linear",
        seed_linear,
        linear_connected,
        "CreateIssue",
        lambda linear, key: linear.edit(key, description="Refund to the card"),
        linear_titles,
    ),
}


@pytest.fixture(params=list(TRACKERS))
def board(request: pytest.FixtureRequest) -> tuple[Tracker, Any]:
    """Jira and Linear in turn, the emulator running (the ``jira`` or ``linear`` fixture)."""
    return TRACKERS[request.param], request.getfixturevalue(request.param)


async def test_a_retried_create_never_takes_an_issue_another_item_holds(slack, board):
    """A second item titled as a linked issue; its create answered 503 (maybe made: the retry
    looks first); the linked issue is edited in the tracker meanwhile, so the look reads it
    among the issues changed since. It is not taken (made long before, and another item's):
    the retry makes the item's own issue, once, and the item says nothing is pending."""
    tracker, em = board
    keys = tracker.seed(em)
    await tracker.connect(slack, em)
    await drain(slack)
    held = await item_by_key(slack, keys[1])
    title = held.title
    em.fail_next(503, route=tracker.create_call)

    await backlog(slack, f"add {title}", user=DEV1)  # a second item of that title
    await drain(slack)
    assert [c.status for c in em.calls_to(tracker.create_call)] == [503]
    newest = max(await items(slack), key=lambda i: i.number)
    assert newest.tracker_link.key is None
    assert f"{tracker.name} answered HTTP 503" in (newest.tracker_link.error or "")
    slack.clock.advance(timedelta(seconds=5))
    tracker.edit(em, keys[1])  # the held issue changed after the create was asked for
    await later(slack, 30)  # the retry (10 s backoff) has run
    for _ in range(4):
        await later(slack, 900)  # and any retry after it

    made = tracker.made(em, title)
    assert len(made) == 2, f"the new item's issue was never made: {made}"
    first, made_by_retry = em.calls_to(tracker.create_call)  # made once, by the retry
    assert (first.status, made_by_retry.status // 100) == (503, 2)
    newest = max(await items(slack), key=lambda i: i.number)
    assert newest.tracker_link.key in made and newest.tracker_link.key != keys[1]
    assert newest.tracker_link.pending == 0 and newest.tracker_link.error is None
    assert (await item_by_key(slack, keys[1])).id == held.id, "the held issue stays its item's"
    card = shown(await backlog(slack, f"show {newest.number}"))
    assert f"not yet in {tracker.name}" not in card, card


async def test_a_failure_of_timeboxs_own_after_the_create_is_said_so_and_makes_no_copy(
    slack, linear, monkeypatch
):
    """The create answered 503 first; the retry makes the issue, then Timebox fails to record
    it (a bug of its own): the item says that, not Linear's 503 of the first try, and the
    next retry looks first, finds the issue made and takes it. One issue, linked."""
    seed_linear(linear)
    await linear_connected(slack, linear)
    await drain(slack)
    linear.fail_next(503, route="CreateIssue")
    recorded = tracker_push._linked
    failures = [RuntimeError("a bug of Timebox's own")]

    async def failing_once(*args: Any) -> None:
        if failures:
            raise failures.pop()
        await recorded(*args)

    monkeypatch.setattr(tracker_push, "_linked", failing_once)
    await backlog(slack, "add Gift cards", user=DEV1)
    await drain(slack)
    await later(slack, 11)  # the retry: the issue made, its record failed

    assert [c.status for c in linear.calls_to("CreateIssue")] == [503, 200]
    newest = max(await items(slack), key=lambda i: i.number)
    assert newest.tracker_link.key is None
    error = newest.tracker_link.error or ""
    assert error.startswith("Timebox had a problem of its own (RuntimeError)"), error
    card = shown(await backlog(slack, f"show {newest.number}"))
    assert "Timebox had a problem of its own" in card and "HTTP 503" not in card, card

    await later(slack, 30)
    [made] = [i.identifier for i in linear.issues.values() if i.title == "Gift cards"]
    assert len(linear.calls_to("CreateIssue")) == 2, "found, not made again"
    newest = max(await items(slack), key=lambda i: i.number)
    assert newest.tracker_link.key == made and newest.tracker_link.error is None


async def test_an_issue_found_then_linked_to_another_item_is_left_to_it(slack, linear, monkeypatch):
    """The look finds an issue free that the sync links to another item before the create is
    recorded (played here by a look answering with another item's issue): the record does
    not take it (no second link to one key, no failure), and the row runs again at once:
    its look leaves that issue out, and the create makes the item's own."""
    keys = seed_linear(linear)
    await linear_connected(slack, linear)
    await drain(slack)
    held = await item_by_key(slack, keys[1])
    linear.fail_next(503, route="CreateIssue")
    looked = tracker_push._created_already
    raced = [linear.issues[keys[1]]]

    async def found_then_taken(svc: Any, tracker: Any, due: Any, write: Any) -> Any:
        if raced:
            raced.pop()
            return await tracker.issue(keys[1])
        return await looked(svc, tracker, due, write)

    monkeypatch.setattr(tracker_push, "_created_already", found_then_taken)
    await backlog(slack, f"add {held.title}", user=DEV1)
    await drain(slack)
    await later(slack, 11)

    made = [i.identifier for i in linear.issues.values() if i.title == held.title]
    assert len(made) == 2 and len(linear.calls_to("CreateIssue")) == 2, made
    newest = max(await items(slack), key=lambda i: i.number)
    assert newest.tracker_link.key in made and newest.tracker_link.key != keys[1]
    assert newest.tracker_link.error is None and newest.tracker_link.pending == 0
    assert (await item_by_key(slack, keys[1])).id == held.id
