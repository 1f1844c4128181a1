"""An async poll's voters as the channel has them now, end to end: a voter who leaves the
channel during the poll is no longer waited for (the round reveals with the last vote of those
still in it, and the reminders leave them out), and someone who joins the channel meanwhile
may vote when the poll's voters are the channel's Developers (not when the facilitator named
them). No Web API call comes before a vote's ack: the channel is asked after it, and by the
reminder's job."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import (
    at,
    board,
    one_item_poll,
    poker,
    replies,
    setup_team,
    vote,
)
from tests.app.test_socket_mode import envelopes_all_acked_once
from tests.app.test_socket_mode import start as start_socket_mode
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

ZOE = "U0ZOE"


def leaves(slack: LocalStack, user: str) -> None:
    slack.emulator.channels[CHANNEL].members.remove(user)


def joins(slack: LocalStack, user: str) -> None:
    slack.emulator.add_user(user, "zoe", real_name="Zoe Newcomer", tz="Europe/Paris")
    slack.emulator.channels[CHANNEL].members.append(user)


def members_asked(slack: LocalStack) -> int:
    return len(slack.emulator.calls_to("conversations.members"))


async def test_a_voter_who_leaves_is_not_waited_for_and_the_last_vote_of_those_left_reveals(
    slack,
):
    poll = await one_item_poll(slack, "async 1 for 24h")
    assert f"*Waiting for:* <@{DEV1}>, <@{DEV2}>, <@{DEV3}>" in shown(poll)
    await vote(slack, DEV1, "3")
    leaves(slack, DEV3)
    await vote(slack, DEV2, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "round 1: everyone voted, 2 votes." in shown(result)
    assert f"<@{DEV3}>" not in shown(board(slack)), "Dmitri is waited for no more"
    assert "Revealed:" in shown(board(slack)) or "Estimate" in shown(board(slack))
    await slack.driver.click("Accept 5", user=SM, message=result)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert (await store.item(team.id, 1)).estimate == 5.0


async def test_no_web_api_call_comes_before_a_votes_ack(db, clock):
    """In Socket Mode, where the emulator sees which calls came before each ack: the vote
    and the newcomer's vote are acked first, and the channel is asked once each, after."""
    stack = await start_socket_mode(db, clock)
    try:
        await setup_team(stack, "Export invoices")
        await stack.driver.command("/poker", "async 1 for 24h", user=SM, channel=CHANNEL)
        asked = members_asked(stack)
        leaves(stack, DEV3)
        joins(stack, ZOE)
        await vote(stack, DEV1, "3")
        await vote(stack, ZOE, "5")
        await vote(stack, DEV2, "5")
        await stack.settle()
        # Once after Diana's ack, once after Zoe's (who is let in, and who else left seen
        # with the same answer); Devon's vote reveals the round, and asks nothing.
        assert members_asked(stack) == asked + 2, "the channel is asked after the acks"
        [result] = replies(stack, board(stack))
        assert "everyone voted, 3 votes." in shown(result)
        envelopes_all_acked_once(stack)
    finally:
        await stack.stop()


async def test_the_reminder_leaves_out_who_left_and_reveals_what_they_alone_held_open(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)
    await vote(slack, DEV1, "3")  # #1's "3"
    await vote(slack, DEV2, "5")  # #1's "5"
    leaves(slack, DEV3)  # after the last vote: only the reminder's look at the channel sees it
    assert replies(slack, poll) == []
    await at(slack, datetime(2026, 3, 3, 2, 30, tzinfo=UTC))  # DEV1's half time: 08:00 in Kolkata
    assert slack.emulator.dms(DEV3) == [], "who left the channel is not reminded"
    [dev1] = slack.emulator.dms(DEV1)
    assert "*#2*" in shown(dev1) and "*#1*" not in shown(dev1)
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "#1* Export invoices · round 1: everyone voted, 2 votes." in shown(result)
    text = shown(board(slack))
    assert f"*Waiting for:* <@{DEV1}>, <@{DEV2}>" in text and f"<@{DEV3}>" not in text


async def test_someone_who_joins_the_channel_during_the_poll_may_vote(slack):
    await one_item_poll(slack, "async 1 for 24h")
    joins(slack, ZOE)
    await vote(slack, ZOE, "8")
    await slack.settle()
    assert "You voted *8* on *#1*" in last_ephemeral(slack, ZOE).text
    text = shown(board(slack))
    assert f"*Voted (1/4):* <@{ZOE}>" in text, text
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "everyone voted, 4 votes." in shown(result)


async def test_a_newcomer_does_not_vote_where_the_facilitator_named_the_voters(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, f"async 1 for 24h voters <@{DEV1}|diana> <@{DEV2}|devon>")
    joins(slack, ZOE)
    asked = members_asked(slack)
    await vote(slack, ZOE, "8")
    await slack.settle()
    assert "Your vote was not counted" in last_ephemeral(slack, ZOE).text
    assert f"<@{ZOE}>" not in shown(board(slack))
    assert members_asked(slack) == asked, "nobody named: no need to ask who is in the channel"


async def test_the_po_still_watches_a_poll_of_the_channels_developers(slack):
    await one_item_poll(slack, "async 1 for 24h")
    asked = members_asked(slack)
    await vote(slack, PO, "8")
    await vote(slack, SM, "8")
    await slack.settle()
    for watcher in (PO, SM):
        assert "Your vote was not counted" in last_ephemeral(slack, watcher).text
    assert members_asked(slack) == asked, "neither could join: Slack is not asked"


async def test_a_newcomer_may_vote_with_a_reason_too(slack):
    await one_item_poll(slack, "async 1 for 24h")
    joins(slack, ZOE)
    await slack.driver.click("Vote with a reason", user=ZOE, message=board(slack))
    form = slack.emulator.open_view(ZOE)
    assert form is not None, "the form opens: who is in the channel is asked on submission"
    await slack.driver.submit(form, {"Your card": "8", "Why": "new to the team"}, user=ZOE)
    assert "Your reason: _new to the team_" in last_ephemeral(slack, ZOE).text
    assert f"*Voted (1/4):* <@{ZOE}>" in shown(board(slack))
