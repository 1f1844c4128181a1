# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""The board's order and its deletions reach the channel without a full import, through the
real app (its webhook route, its due work) and the Jira emulator: a drag in Jira reorders the
backlog (by the incremental sync, a webhook, or the hourly reconcile), moving only what moved
and never undoing a move of Timebox's not in Jira yet; an issue deleted or moved off the board
is unlinked with a history line and archived, not silently lost; and the calls stay few."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.domain import tracker_order, tracker_writes
from bot.domain.backlog import ItemFields, Move
from bot.domain.readiness import hypothesis_in
from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect as connect_uc
from tests.app.test_tracker_sync import (  # noqa: F401
    actor,
    connect,
    history,
    jira,
    running_sprint,
    seed_board,
)
from tests.app.trackers import WORKSPACE, drain, item_by_key, items, later
from tests.conftest import CHANNEL, PO


async def connected(slack: LocalStack, jira: JiraEmulator, *, hooks: bool = False) -> None:
    """Connected and imported; with `hooks`, Jira's webhook registered with its secret."""
    done = await connect(slack, jira)
    assert isinstance(done, connect_uc.Connected), done
    if hooks:
        jira.add_webhook(f"{slack.url}{done.webhook_path}", done.webhook_secret.reveal())
    await drain(slack)
    jira.reset_calls()


async def keys(slack: LocalStack) -> list[str | None]:
    """The channel's backlog as keys (None: an item only Timebox has), top first."""
    return [i.tracker_link.key if i.tracker_link else None for i in await items(slack)]


async def own_item(slack: LocalStack, title: str) -> int:
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        return (await store.add_item(team, ItemFields(title=title), PO, slack.clock.now())).number


def routes(jira: JiraEmulator) -> Counter[str]:
    return Counter(c.route for c in jira.calls)


# -- a reorder made in Jira ----------------------------------------------------------------------


async def test_a_drag_in_jira_reorders_the_backlog_through_the_incremental_sync(slack, jira):
    """No webhook: the regular sync sees the dragged issue changed with a new Rank value and
    reads the board's keys once; only the dragged item moves (one history line), and the
    channel's own item keeps its place below."""
    bug, story, blocker, task = seed_board(jira)
    await connected(slack, jira)
    await own_item(slack, "Our own idea")
    assert await keys(slack) == [bug, story, blocker, task, None]

    jira.rerank(task, before=bug)
    await later(slack, 300)

    assert await keys(slack) == [task, bug, story, blocker, None]
    assert [c.route for c in jira.calls] == ["search.jql", "search.jql"]
    changes, order = jira.calls_to("search.jql")
    assert "updated >=" in changes.body["jql"]
    assert order.body["fields"] == ["key"] and "ORDER BY Rank ASC" in order.body["jql"]
    *_, (who, action, changes_) = await history(slack, await item_by_key(slack, task))
    assert (who, action, changes_) == ("jira", "moved", {"position": [4, 1]})
    for other in (bug, story, blocker):
        *_, (_, last, _) = await history(slack, await item_by_key(slack, other))
        assert last == "imported from Jira", "the others did not move"

    jira.reset_calls()
    await later(slack, 300)  # nothing reordered since: the order is not read again
    assert [c.route for c in jira.calls] == ["search.jql"]


async def test_a_webhook_naming_a_rank_change_reorders_at_once(slack, jira):
    bug, story, blocker, task = seed_board(jira)
    await connected(slack, jira, hooks=True)

    jira.rerank(bug, after=task)
    assert await jira.deliver_webhooks() == 1
    assert jira.webhooks[0].deliveries == [204]
    await drain(slack)  # no time passes

    assert await keys(slack) == [story, blocker, task, bug]
    async with slack.db.transaction() as store:
        hooks = [j for j in await store.jobs(tracker_uc.KIND_SYNC) if ":hook:" in j.key]
    assert [j.payload.get("keys") for j in hooks] == [True], "the sync read the board's order"
    assert hooks[0].outcome.endswith(" changed, 1 moved to the board's order")


async def test_a_move_in_timebox_not_yet_in_jira_is_not_undone_by_the_boards_order(slack, jira):
    """The Product Owner moves an item while Jira asks Timebox to wait; a drag in Jira
    meanwhile reorders the others around it; then the write lands and both agree."""
    bug, story, blocker, task = seed_board(jira)
    await connected(slack, jira, hooks=True)
    jira.fail_next(429, route="issue.rank", retry_after=120)
    number = (await item_by_key(slack, blocker)).number
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.move_item(team, number, Move("top"), PO, slack.clock.now())
        await tracker_uc.after_reorder(store, team, number, slack.clock.now())
    await drain(slack)
    assert (await item_by_key(slack, blocker)).tracker_link.pending == 1

    jira.rerank(task, before=bug)
    await jira.deliver_webhooks()
    await drain(slack)
    assert await keys(slack) == [blocker, task, bug, story], "the PO's move stays"

    await later(slack, 121)
    assert jira.backlog_keys() == [blocker, task, bug, story]
    await later(slack, 300)
    assert await keys(slack) == [blocker, task, bug, story]


async def test_a_reorder_costs_two_calls_and_ten_edits_one_on_a_big_board(slack, jira):
    """On 600 issues: ten edits are one search; a drag is that search and one for the keys
    (5,000 a page), whatever the board's size."""
    jira.seed(600)
    slack.clock.advance(timedelta(days=1))  # the board was last changed yesterday
    await connected(slack, jira)
    slack.clock.advance(timedelta(minutes=1))
    board = jira.backlog_keys()
    for n, key in enumerate(board[::60]):
        jira.edit(key, summary=f"Changed {n}")
    await later(slack, 300)
    assert [c.route for c in jira.calls] == ["search.jql"]

    jira.reset_calls()
    jira.rerank(board[-1], before=board[0])
    await later(slack, 300)
    assert [c.route for c in jira.calls] == ["search.jql", "search.jql"]
    assert await keys(slack) == jira.backlog_keys()


# -- issues gone from the board -------------------------------------------------------------------


async def test_a_deleted_issue_named_by_a_webhook_is_unlinked_archived_and_said(slack, jira):
    bug, story, blocker, task = seed_board(jira)
    await connected(slack, jira, hooks=True)
    card = await item_by_key(slack, bug)
    jira.delete(bug)
    await jira.deliver_webhooks()
    await drain(slack)

    assert routes(jira) == {"search.jql": 1, "issue.get": 1}
    assert jira.calls_to("issue.get")[0].status == 404
    assert await keys(slack) == [story, blocker, task]
    [gone] = [i for i in await items(slack, include_closed=True) if i.id == card.id]
    assert gone.archived_at is not None and gone.tracker_link.connection_id is None
    *_, (who, action, changes) = await history(slack, gone)
    assert (who, action, changes["key"]) == ("jira", "unlinked", bug)
    assert changes["note"] == (
        f"{bug} was deleted in Jira (or the Jira account can no longer see it), noticed on "
        f"2026-03-02 09:00 UTC: unlinked and archived; `/backlog restore {card.number}` "
        "brings it back"
    )
    shown = await connect_uc.connection_status(slack.services, actor())
    assert shown.linked == 3 and shown.pending == 0


async def test_without_webhooks_the_hourly_reconcile_finds_a_deleted_issue(slack, jira):
    bug, story, blocker, task = seed_board(jira)
    await connected(slack, jira)
    jira.delete(story)
    await later(slack, 300)
    assert (await item_by_key(slack, story)).archived_at is None, "changes cannot show it"

    jira.reset_calls()
    await later(slack, 3600)

    # a sync; the reconcile's 2 + 1; the board's settings, an hour old, read again by the look
    assert routes(jira) == {"search.jql": 3, "issue.get": 1, "board.configuration": 1}
    assert await keys(slack) == [bug, blocker, task]
    async with slack.db.transaction() as store:
        jobs = [j for j in await store.jobs(tracker_uc.KIND_SYNC) if ":keys:" in j.key]
    assert jobs[0].outcome.endswith(" changed, 1 unlinked")
    assert jobs[1].done_at is None, "the next one chained, an hour on"


async def test_a_deleted_issue_in_a_running_sprint_is_unlinked_but_kept(slack, jira):
    """A sprint's scope changes only by renegotiation: its item stays, unlinked, and says
    why; the sprint's later writes to Jira leave it out."""
    bug, story, *_ = seed_board(jira)
    await connected(slack, jira, hooks=True)
    await running_sprint(slack, [bug, story])
    jira.delete(bug)
    await jira.deliver_webhooks()
    await drain(slack)

    card = (await items(slack, include_closed=True))[0]
    assert card.status == "sprint" and card.archived_at is None
    assert card.tracker_link.connection_id is None
    *_, (_, action, changes) = await history(slack, card)
    assert action == "unlinked" and changes["note"].endswith(": unlinked, kept here")


async def test_an_issue_moved_off_the_board_is_let_go_and_relinked_when_back(slack, jira):
    """Moved to another project (off the board): unlinked and archived once it has stayed
    away past the margin; moved back (a new key, the same issue id): relinked and restored,
    no duplicate."""
    _, _, blocker, _ = seed_board(jira)
    await connected(slack, jira)
    card = await item_by_key(slack, blocker)
    await later(slack, 3400)
    away = jira.move(blocker, "OPS")
    await later(slack, 200)  # the hourly reconcile, 3 minutes after the move
    assert (await item_by_key(slack, blocker)).archived_at is None, "just moved: next time"

    await later(slack, 3600)
    [gone] = [i for i in await items(slack, include_closed=True) if i.id == card.id]
    assert gone.archived_at is not None and gone.tracker_link.connection_id is None
    *_, (_, action, changes) = await history(slack, gone)
    assert action == "unlinked" and changes["note"].startswith(
        f"{blocker} left the board in Jira on 2026-03-02 11:00 UTC (moved to another project"
    )

    back = jira.move(away.key, "TB")
    await later(slack, 300)
    after = await items(slack, include_closed=True)
    assert len(after) == 4, "no duplicate"
    [again] = [i for i in after if i.id == card.id]
    assert again.archived_at is None and again.tracker_link.key == back.key
    assert again.tracker_link.connection_id is not None
    events = [(a, c.get("note", "")) for _, a, c in await history(slack, again)][-2:]
    assert events == [
        ("relinked", f"{blocker} is now {back.key} in Jira (moved to another project)"),
        ("restored", f"{back.key} is on the board in Jira again"),
    ]


async def test_a_board_that_shows_nothing_unlinks_nothing(slack, jira):
    """An account that lost "Browse projects" sees an empty board and a 404 for every issue:
    that is not every issue deleted, so nothing is unlinked and the connection says why."""
    seed_board(jira)
    await connected(slack, jira)
    jira.browse_denied.add(jira.user.email)
    await later(slack, 3600)
    assert len(await items(slack)) == 4
    assert all(i.tracker_link.connection_id is not None for i in await items(slack))
    shown = await connect_uc.connection_status(slack.services, actor())
    assert "check that the Jira account can still see" in shown.connection.last_error
    assert jira.calls_to("issue.get") == []


# -- the rules, as plain functions -----------------------------------------------------------


def test_the_boards_order_moves_the_fewest_items():
    order = [(1, "A", 1.0), (2, "B", 2.0), (3, None, 3.0), (4, "C", 4.0), (5, "D", 5.0)]
    moved, ranks = tracker_order.follow_board(order, ["D", "A", "B", "C"])
    assert moved == [tracker_order.Moved(5, 0.0, 5, 1)] and ranks == {5: 0.0}
    moved, ranks = tracker_order.follow_board(order, ["B", "A", "C", "D"])
    assert moved == [tracker_order.Moved(1, 2.5, 1, 2)], "right after its board neighbour"
    assert tracker_order.follow_board(order, ["A", "D", "B", "C"], pinned={5}) == ([], {})
    assert tracker_order.follow_board(order, ["A", "B", "C", "D", "GONE"]) == ([], {})
    tight = [(1, "A", 1.0), (2, "B", 1.0 + 1e-9), (3, "C", 1.0 + 2e-9), (4, "D", 5.0)]
    moved, ranks = tracker_order.follow_board(tight, ["B", "A", "C", "D"])
    assert moved == [tracker_order.Moved(1, 2.0, 1, 2)]
    assert ranks == {2: 1.0, 1: 2.0, 3: 3.0, 4: 4.0}, "no room left: renumbered"
    big = [(n, f"K{n}", float(n)) for n in range(5000)]
    moved, _ = tracker_order.follow_board(big, [f"K{n}" for n in [4999, *range(4999)]])
    assert [m.item_id for m in moved] == [4999]


def test_a_hypothesis_is_what_a_description_states_and_nothing_else():
    assert hypothesis_in("Value hypothesis\n\nBy offering Apple Pay we expect more sales.")
    assert hypothesis_in("## Hypothesis:\nPeople pay faster with cards") == (
        "People pay faster with cards"
    )
    assert hypothesis_in("Context. If we cache search, then we expect pages under 200 ms.")
    assert hypothesis_in("We believe one-click reorder will result in more repeat orders")
    for none in (
        "Card payments at checkout.",
        "Fix the crash by doing a null check.",
        "Hypothesis: TBD",
        "The hypothesis was wrong last time.",
        "We believe the API will change",
        "",
    ):
        assert hypothesis_in(none) == "", none


def test_a_gone_note_says_what_when_and_what_became_of_the_item():
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert tracker_writes.gone_note("moved", "TB-7", at, 12, False) == (
        "TB-7 left the board in Jira on 2026-03-02 09:30 UTC (moved to another project, or "
        "out of the board's filter): unlinked, kept here"
    )
