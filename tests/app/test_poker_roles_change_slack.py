"""The voters of a poll chosen by role are the channel's Developers (with the PO when asked
in): a change of roles mid-poll changes them. One who is no longer a Developer is waited for
no more and their vote is refused, saying why; one named a Developer may join."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_items_left_slack import run_due
from tests.app.test_poker_slack import board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO


async def devs(slack, *users: str) -> None:
    named = " ".join(f"<@{u}|u>" for u in users)
    ack = await slack.driver.command("/timebox", f"roles dev {named}", user=PO, channel=CHANNEL)
    assert ack.status == 200
    await run_due(slack)  # the polls shown again (a sync job, due at once)


async def test_one_no_longer_a_developer_is_waited_for_no_more_and_may_not_vote(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    await vote(slack, DEV1, "5")
    await devs(slack, DEV1, DEV2)
    text = shown(board(slack))
    assert f"<@{DEV3}>" not in text.split("*Queue:*")[0], "DEV3 is waited for no more"
    await vote(slack, DEV3, "8")
    refused = last_ephemeral(slack, DEV3).text
    assert "Your vote was not counted" in refused and "Developer" in refused
    poll = board(slack)
    assert replies(slack, poll) == []
    await vote(slack, DEV2, "5")
    await slack.settle()
    [result] = replies(slack, poll)
    assert f"<@{DEV3}>" not in shown(result)
    await slack.driver.click("Accept 5", user=PO, message=result)


async def test_a_vote_completing_the_round_after_the_change_reveals_it(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    await vote(slack, DEV1, "5")
    await vote(slack, DEV2, "5")
    await devs(slack, DEV1, DEV2)
    [result] = replies(slack, board(slack))
    assert "everyone voted" in shown(result), "the change leaves nobody to wait for"


async def test_one_named_a_developer_mid_poll_may_vote_in_an_async_poll(slack):
    await setup_team(slack, "Export invoices")
    await devs(slack, DEV1, DEV2)
    await poker(slack, "async 1 for 24h")
    await devs(slack, DEV1, DEV2, DEV3)
    await vote(slack, DEV3, "3")
    await slack.settle()
    assert "You voted *3* on *#1*" in last_ephemeral(slack, DEV3).text
