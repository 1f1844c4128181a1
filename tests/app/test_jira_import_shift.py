# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""A Jira board that shifts between two pages of the import read back to back (no failure, no
wait): every open issue still reaches the channel's backlog, each once. Jira's backlog is read
by position (``startAt``), so an issue closed (or dragged down) above a page's edge moves the
next issue into the page already read; unchanged, no sync brings it in either."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.emulator.jira import JiraEmulator
from tests.app.test_tracker_sync import connect, jira  # noqa: F401
from tests.app.trackers import RECONCILE, SYNC, drain, items, later


class _Watched(list[Any]):
    """The emulator's call log, running `change()` as the `nth` call of `route` comes in:
    a person's change in Jira landing just before that call is answered."""

    def __init__(self, calls: list[Any], route: str, nth: int, change: Callable[[], Any]):
        super().__init__(calls)
        self.route, self.nth, self.change = route, nth, change

    def append(self, call: Any) -> None:
        super().append(call)
        if call.route == self.route and sum(c.route == self.route for c in self) == self.nth:
            self.change()


def changed_before_page(jira: JiraEmulator, page: int, change: Callable[[], Any]) -> None:
    """`change()` is made in Jira as the import asks for the board's backlog page `page`
    (1 the first), right after the page before: no failure, no wait between them."""
    jira.calls = _Watched(jira.calls, "board.backlog", page, change)


async def linked_keys(slack: Any) -> Counter[str]:
    """How many of the team's items (archived too) each issue key is linked to."""
    return Counter(
        i.tracker_link.key
        for i in await items(slack, include_closed=True)
        if i.tracker_link is not None and i.tracker_link.key
    )


async def shifted_import(slack: Any, jira: JiraEmulator) -> list[str]:
    """A board of 250 backlog stories, last changed two days ago, imported (100 a page)
    while, just as the second page is asked for, someone drags the first page's last story
    3 places down and closes the board's top 3 stories: the second page starts on the
    dragged story in another place (the board shifted), and the 3 stories it jumped over were
    read by no page. Those 3 keys."""
    keys = jira.seed(250)
    slack.clock.advance(timedelta(days=2))

    def shift() -> None:
        jira.rerank(keys[99], after=keys[102])
        for key in keys[:3]:
            jira.edit(key, status="Done")

    changed_before_page(jira, 2, shift)
    await connect(slack, jira)
    await drain(slack)
    await later(slack, SYNC)
    return keys[100:103]


async def test_an_issue_closed_between_two_pages_read_back_to_back_is_imported(slack, jira):
    """A board of 250 issues last changed two days ago. Just as the import asks for its
    second page (100 issues a page), right after the first, someone closes the board's top
    issue in Jira: the board now starts one issue later, so the 101st issue sits where the
    first page ended. No page failed and none waited, yet the team expects every open issue
    on `/backlog`, each once, by the first hourly look at the board at the latest."""
    keys = jira.seed(250)
    slack.clock.advance(timedelta(days=2))
    changed_before_page(jira, 2, lambda: jira.edit(keys[0], status="Done"))
    await connect(slack, jira)
    await drain(slack)

    await later(slack, SYNC)
    await later(slack, RECONCILE)
    await later(slack, 61)  # a look's second round of asks, if it had more than it asks at once

    linked = await linked_keys(slack)
    missing = [k for k in jira.backlog_keys() if k not in linked]
    assert missing == [], f"never imported: {missing}"
    assert [k for k, n in linked.items() if n > 1] == [], "an issue imported twice"


async def test_an_issue_dragged_down_from_a_pages_edge_loses_no_unchanged_issue(slack, jira):
    """Just before the import's second page is read, the last issue of the first page is
    dragged 3 places down in Jira, below three issues the import has not read, and three
    issues of the first page are closed. The second page's first issue is still the first
    page's last one, but in another place: the three issues it jumped over are now above the
    page's edge. Unchanged, they must reach the backlog all the same, each once."""
    await shifted_import(slack, jira)
    await later(slack, RECONCILE)
    await later(slack, 61)

    linked = await linked_keys(slack)
    missing = [k for k in jira.backlog_keys() if k not in linked]
    assert missing == [], f"never imported: {missing}"
    assert [k for k, n in linked.items() if n > 1] == [], "an issue imported twice"


async def test_an_import_on_a_board_that_did_not_move_costs_one_page_more_and_no_look(slack, jira):
    """The price of the check on a board that stays still: 250 issues are read in three
    pages (100, 99 and 52 new: each page starts on the last issue of the one before, to see
    that it is still there), and the hourly look after asks Jira for no issue one by one."""
    jira.seed(250)
    slack.clock.advance(timedelta(days=2))
    await connect(slack, jira)
    await drain(slack)

    assert len(jira.calls_to("board.backlog")) == 3
    starts = [c.query.get("startAt") for c in jira.calls_to("board.backlog")]
    assert starts == ["0", "99", "198"]
    assert len(await items(slack)) == 250
    jira.reset_calls()
    await later(slack, RECONCILE)
    assert jira.calls_to("issue.get") == []
