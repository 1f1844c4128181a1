# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""`/backlog remove|done|restore` and the item form against a sprint and a tracker, through the
real app: an item of a sprint leaves it only by the sprint's own commands (a renegotiation the
sprint records), each change says in a line what it did (and what its issue will do), and an
estimate a Linear team's scale does not have is refused where it is set, not retried hourly
against Linear."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.app.test_poker_slack import board, poker, replies, vote
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_connected
from tests.app.trackers import WORKSPACE, drain, item_by_key
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM


async def sprint_of(slack: LocalStack) -> tuple[list[int], list[tuple[str, int]]]:
    """The running sprint's items (numbers) and its scope changes (action, item number)."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        sprint = await store.sprint(team.id, "active")
        assert sprint is not None
        items = [si.item.number for si in await store.sprint_items(sprint)]
        changes = [(c.action, c.item_number) for c in await store.scope_changes(sprint)]
        return items, changes


async def item(slack: LocalStack, number: int) -> Any:
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        return await store.item(team.id, number)


# -- a sprint's items --------------------------------------------------------------------------


async def test_an_item_of_the_running_sprint_is_archived_only_once_the_sprint_lets_it_go(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 2)

    refused = shown(await backlog(slack, "remove 1", user=PO))

    assert "#1 is in sprint 1, which is running" in refused
    assert "`/sprint remove 1 <reason>`" in refused, "how to take it out first"
    assert (await item(slack, 1)).archived_at is None
    assert await sprint_of(slack) == ([1, 2], []), "the sprint is as committed"

    await cmd(slack, "/sprint", "remove 1 the customer withdrew the request", PO)
    archived = shown(await backlog(slack, "remove 1", user=PO))
    assert "Archived #1." in archived and "*Status:* Archived" in archived
    assert await sprint_of(slack) == ([2], [("removed", 1)]), "the change is on the record"


async def test_an_item_chosen_for_the_sprint_being_planned_is_dropped_from_the_plan_first(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")

    refused = shown(await backlog(slack, "remove 1", user=PO))

    assert "#1 is in the plan of sprint 1" in refused and "`/planning drop 1`" in refused
    assert (await item(slack, 1)).archived_at is None
    refused = shown(await backlog(slack, "done 1", user=DEV1))
    assert "`/planning drop 1` in sprint planning, then `/backlog done 1`" in refused
    assert (await item(slack, 1)).status != "done", "the commit would have undone it"

    await cmd(slack, "/planning", "drop 1")
    assert "Archived #1." in shown(await backlog(slack, "remove 1", user=PO))


async def test_the_health_check_counts_and_archives_stale_items_but_those_in_the_plan(slack):
    """The button's count is what it archives: an item chosen for the sprint being planned is
    the plan's, not stale."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    slack.clock.advance(timedelta(days=400))
    stale = (2, 3, 4)  # setup's other items

    health = await backlog(slack, "health", user=PO)
    assert "Archive 3 stale items" in shown(health), shown(health)
    assert "#2, #3, #4." in shown(health), "#1 is not listed stale"
    await slack.driver.click("Archive 3 stale items", user=PO, message=health)

    assert (await item(slack, 1)).archived_at is None, "the plan keeps it"
    for number in stale:
        assert (await item(slack, number)).archived_at is not None


async def test_done_on_an_item_of_the_running_sprint_counts_in_the_sprint(slack):
    """`/backlog done` of a sprint item finishes it as `/sprint done` does: its points count
    as completed at the close, and it does not go back to the backlog as unfinished."""
    await setup(slack)
    await commit_sprint(slack, 1, 2)

    answer = shown(await backlog(slack, "done 1", user=DEV1))

    assert "#1 is done in sprint 1." in answer and "*Status:* Done" in answer
    closing = await close_sprint(slack, "Yes")
    assert "5 of 13 committed points completed" in closing, closing
    assert (await item(slack, 1)).status == "done", "not handed back as unfinished"
    assert (await item(slack, 2)).status == "open"


async def test_restore_of_an_item_done_in_the_running_sprint_makes_it_sprint_work_again(slack):
    """Restore is done's inverse: an item done in the running sprint is that sprint's work
    again (as a reopen in the tracker makes it), not open on the backlog while the sprint
    still counts it completed."""
    await setup(slack)
    await commit_sprint(slack, 1, 2)
    await backlog(slack, "done 1", user=DEV1)

    answer = shown(await backlog(slack, "restore 1", user=PO))

    assert "#1 is back in its sprint." in answer, answer
    assert (await item(slack, 1)).status == "sprint"
    closing = await close_sprint(slack, "Yes")
    assert "0 of 13 committed points completed" in closing, closing
    assert (await item(slack, 1)).status == "open", "handed back as unfinished"


# -- what a change says ------------------------------------------------------------------------


async def test_remove_done_and_restore_each_say_what_they_did(slack):
    for title in ("Export invoices", "Dark mode", "Audit log"):
        await backlog(slack, f"add {title}", user=DEV1)
    await slack.driver.command("/timebox", f"roles po <@{PO}>", user=PO, channel=CHANNEL)

    done = shown(await backlog(slack, "done 2", user=DEV1))
    assert "#2 marked done." in done and "issue" not in done, "no tracker, no issue"

    restored = shown(await backlog(slack, "restore 2", user=PO))
    assert "#2 is back on the backlog, at the bottom (position 3)." in restored

    archived = shown(await backlog(slack, "remove 1", user=PO))
    assert "Archived #1. `/backlog restore 1` brings it back." in archived

    await slack.driver.click("Restore", user=PO, message=last_ephemeral(slack))
    assert "#1 is back on the backlog, at the bottom (position 3)." in shown(last_ephemeral(slack))


async def test_done_and_restore_say_that_the_linear_issue_follows(slack, linear):
    key = linear.add_issue("Pay by card").identifier
    await linear_connected(slack, linear)
    number = (await item_by_key(slack, key)).number

    done = shown(await backlog(slack, f"done {number}", user=DEV1))
    assert f"#{number} marked done; its Linear issue {key} will be closed too." in done
    restored = shown(await backlog(slack, f"restore {number}", user=PO))
    assert f"its Linear issue {key} will be reopened." in restored
    await drain(slack)
    assert linear.state_of(key).type != "completed"


# -- a Linear team's estimate scale ------------------------------------------------------------

FIBONACCI = "1, 2, 3, 5 or 8"


async def test_the_item_form_refuses_an_estimate_off_the_linear_teams_scale(slack, linear):
    key = linear.add_issue("Pay by card", estimate=3).identifier
    await linear_connected(slack, linear)
    number = (await item_by_key(slack, key)).number
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)

    ack = await slack.driver.submit(view, {"Estimate (story points)": "4"}, user=PO)

    assert ack.json["response_action"] == "errors", ack.json
    refusal = ack.json["errors"]["estimate"]
    assert f"Linear team Engineering estimates on its Fibonacci scale: {FIBONACCI}" in refusal
    assert "no 4" in refusal
    assert slack.emulator.open_view(PO) is view, "the form stays open with what was typed"
    assert (await item_by_key(slack, key)).estimate == 3.0

    await slack.driver.submit(view, {"Estimate (story points)": "5"}, user=PO)
    await drain(slack)
    assert (await item_by_key(slack, key)).estimate == 5.0
    assert linear.estimate_of(key) == 5
    assert (await item_by_key(slack, key)).tracker_link.error is None


async def test_an_item_only_timebox_has_takes_any_estimate(slack, linear):
    """The scale is the issue's: an item kept from before the connection has no issue, and
    takes what the team chose."""
    await backlog(slack, "add Offline mode", user=DEV1)
    await linear_connected(slack, linear)
    assert (await item(slack, 1)).tracker_link is None
    await backlog(slack, "edit 1")
    view = slack.emulator.open_view(PO)
    await slack.driver.submit(view, {"Estimate (story points)": "4"}, user=PO)
    assert slack.emulator.open_view(PO) is None
    assert (await item(slack, 1)).estimate == 4.0


async def scale_known(slack: LocalStack, kind: str | None) -> None:
    """The Linear team's scale as the connection keeps it (None: not known to it)."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        connection = await store.connection(team.id)
        assert connection is not None
        connection.board = {**(connection.board or {}), "estimation": kind}


async def test_poker_cannot_accept_a_card_off_the_linear_teams_scale(slack, linear):
    """Fibonacci cards the team's Linear scale lacks (13 without extended estimates, ½) are
    refused at the accept, privately, naming the values; the round stays open to accept
    another value or vote again. (A poll started since offers none of them: its deck is the
    scale's, tests/app/test_poker_tracker_scale_slack.py; this one started before the
    connection knew the scale.)"""
    key = linear.add_issue("Pay by card").identifier
    await linear_connected(slack, linear)
    await slack.driver.command(
        "/timebox", f"roles dev <@{DEV1}|d> <@{DEV2}|d> <@{DEV3}|d>", user=PO, channel=CHANNEL
    )
    number = (await item_by_key(slack, key)).number
    await scale_known(slack, None)
    await poker(slack, str(number))
    await scale_known(slack, "fibonacci")
    for dev in (DEV1, DEV2, DEV3):
        await vote(slack, dev, "13")
    [result] = replies(slack, board(slack))

    await slack.driver.click("Accept 13", user=SM, message=result)

    refusal = shown(last_ephemeral(slack, SM))
    assert f"its Fibonacci scale: {FIBONACCI}" in refusal and "no 13" in refusal
    assert (await item_by_key(slack, key)).estimate is None
    [result] = replies(slack, board(slack))
    assert "Accept 13" in shown(result), "still open to decide"

    await slack.driver.select("Accept another value", "8", user=SM, message=result)
    await drain(slack)
    assert (await item_by_key(slack, key)).estimate == 8.0
    assert linear.estimate_of(key) == 8
