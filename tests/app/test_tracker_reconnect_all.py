# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Disconnecting and connecting again to the same board (Jira, a GitHub project, Linear),
through the real app and each tracker's emulator: every item that kept its key is matched
again, whatever its status or sprint (the backlog import alone sees only the backlog's
issues); an item added in Timebox meanwhile is created in the tracker; the reply says the
board's order is taken; the disconnect says what was not sent, and removes the webhook
Timebox added itself."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app import test_tracker_connect as connecting
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_not_planned import STILL_NOT_PLANNED
from tests.app.test_tracker_reconnect import TITLE, disconnected, retitled_in_slack
from tests.app.test_tracker_reopen import SYNC, board, done_in_timebox, in_step  # noqa: F401
from tests.app.test_tracker_sprint_work import in_a_running_sprint, kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1, PO


async def connected_then_apart(slack: LocalStack, tracker, em) -> str:
    """The board seeded, connected, synced and disconnected: its first issue's key."""
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await later(slack, SYNC)
    await disconnected(slack)
    return key


async def changed_while_apart(slack: LocalStack, tracker, em, change: str) -> str:
    """The board connected, synced and disconnected, then its first issue's item changed here
    a minute later by `/backlog <change> <number>`: that issue's key."""
    key = await connected_then_apart(slack, tracker, em)
    await later(slack, 60)
    await backlog(slack, f"{change} {(await item_by_key(slack, key)).number}")
    return key


async def reconnected(slack: LocalStack, tracker, em) -> str:
    """Connected again (the same board) and synced: the PO's answer."""
    await later(slack, 60)
    await tracker.connect(slack, em)
    answer = shown(last_ephemeral(slack, PO))
    await later(slack, SYNC)
    await drain(slack)
    return answer


async def test_reconnecting_relinks_an_item_of_the_running_sprint_so_sprint_done_is_written(
    slack, board
):
    tracker, em = board
    key, _ = await in_a_running_sprint(slack, tracker, em)
    await later(slack, SYNC)
    await disconnected(slack)

    answer = await reconnected(slack, tracker, em)

    item = await item_by_key(slack, key)
    assert item.tracker_link.connection_id is not None, "matched by its key, in the sprint"
    assert "reorder made here while disconnected is replaced" in answer, answer
    await slack.driver.command("/sprint", f"done {item.number}", user=DEV1, channel=CHANNEL)
    await drain(slack)
    assert tracker.is_done(em, key), "done here is done there again"


async def test_reconnecting_relinks_an_item_done_while_disconnected_and_writes_it_done(
    slack, board
):
    tracker, em = board
    key = await changed_while_apart(slack, tracker, em, "done")

    await reconnected(slack, tracker, em)

    item = await item_by_key(slack, key)
    assert item.tracker_link.connection_id is not None and item.status == "done"
    assert tracker.is_done(em, key), "Timebox's later change written"
    assert item.tracker_link.pending == 0 and await in_step(slack)


async def test_an_item_restored_while_disconnected_is_reopened_there_on_reconnecting(slack, board):
    tracker, em = board
    key, number = await done_in_timebox(slack, tracker, em)
    await later(slack, SYNC)
    await disconnected(slack)
    await later(slack, 60)
    await backlog(slack, f"restore {number}")

    await reconnected(slack, tracker, em)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.tracker_link.connection_id is not None and item.status == "open"
    assert not tracker.is_done(em, key), "Timebox's reopen written"
    assert item.tracker_link.pending == 0 and await in_step(slack)


async def test_an_item_archived_while_disconnected_is_closed_as_wont_do_on_reconnecting(
    slack, board
):
    tracker, em = board
    key = await changed_while_apart(slack, tracker, em, "remove")

    await reconnected(slack, tracker, em)
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.tracker_link.connection_id is not None and item.archived_at is not None
    assert STILL_NOT_PLANNED[kind_of(tracker)](em, key), "Timebox's archive written"
    assert item.tracker_link.pending == 0 and await in_step(slack)


async def test_an_item_added_while_disconnected_is_created_in_the_tracker_on_reconnecting(
    slack, board
):
    tracker, em = board
    key = await connected_then_apart(slack, tracker, em)
    await backlog(slack, "add Gift cards at checkout")
    listed = await item_by_key(slack, key)
    assert listed.tracker_link.connection_id is None

    await reconnected(slack, tracker, em)

    async with slack.db.transaction() as store:
        team = await store.team_by_id(listed.team_id)
        [added] = [
            i
            for i in await store.all_items(team.id, include_closed=True)
            if i.title == "Gift cards at checkout"
        ]
        link = added.tracker_link
        assert link is not None and link.key, "created there as `/backlog add` creates one"
        new_key = link.key
    assert TITLE[kind_of(tracker)](em, new_key) == "Gift cards at checkout"
    assert await in_step(slack)


async def test_disconnecting_says_how_many_changes_waiting_were_not_sent(slack, board):
    tracker, em = board
    key, other, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await later(slack, SYNC)
    await retitled_in_slack(slack, (await item_by_key(slack, key)).number, "First, unsent")
    await retitled_in_slack(slack, (await item_by_key(slack, other)).number, "Second, unsent")

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)

    said = shown(last_ephemeral(slack, PO))
    assert "2 changes waiting for" in said and "were not sent" in said, said


async def test_disconnecting_removes_the_webhook_timebox_added_in_linear(
    slack, linear, monkeypatch
):
    await connecting.test_with_a_public_address_timebox_adds_its_own_linear_webhook(
        slack, linear, monkeypatch
    )
    assert len(linear.webhooks) == 1
    await drain(slack)

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)

    said = shown(last_ephemeral(slack, PO))
    assert "no longer connected" in said and "removed the webhook it added in Linear" in said
    assert linear.webhooks == [], "no webhook left to answer 401 to"


async def test_a_webhook_linear_refuses_to_remove_never_fails_the_disconnect(
    slack, linear, monkeypatch
):
    await connecting.test_with_a_public_address_timebox_adds_its_own_linear_webhook(
        slack, linear, monkeypatch
    )
    await drain(slack)
    linear.user.api_key = "lin_api_revoked_meanwhile"

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)

    said = shown(last_ephemeral(slack, PO))
    assert "no longer connected" in said and "could not remove the webhook" in said, said
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        assert await store.connection(team.id) is None, "disconnected all the same"
