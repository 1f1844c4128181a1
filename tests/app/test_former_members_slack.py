"""People named for a role (or in a user group) who are not in the team's channel do not count,
end to end: a poll does not wait for their votes and its thread says once who was left out;
sprint planning's capacity does not count them, says so, and its commitment does not wait for
them. When Slack will not say who is in the channel, everyone named still counts (and the log
says why), so a Slack failure never strands a poll or a plan."""

from __future__ import annotations

import logging

from bot.domain.poker import MEMBERS_UNKNOWN
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import cmd, posted, setup, thread
from tests.app.test_poker_slack import board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

ZOE = "U0ZOE"  # in the workspace, never in the team's channel
DEVS = "S0DEVS"
LEFT_OUT = "is not in this channel and is not counted"


async def name_developers(slack: LocalStack) -> None:
    """Diana, Devon and Dmitri are named the team's Developers while all are in the channel."""
    text = f"roles dev <@{DEV1}|diana> <@{DEV2}|devon> <@{DEV3}|dmitri>"
    ack = await slack.driver.command("/timebox", text, user=PO, channel=CHANNEL)
    assert ack.status == 200


def leaves(slack: LocalStack, user: str) -> None:
    slack.emulator.channels[CHANNEL].members.remove(user)


def notes(slack: LocalStack, poll) -> list[str]:
    return [shown(m) for m in replies(slack, poll) if LEFT_OUT in shown(m)]


# -- planning poker --------------------------------------------------------------------------------


async def test_a_developer_who_left_the_channel_is_not_waited_for_and_the_thread_says_so(slack):
    await setup_team(slack, "Export invoices")
    await name_developers(slack)
    leaves(slack, DEV3)
    await poker(slack, "1")
    poll = board(slack)
    assert f"*Waiting for:* <@{DEV1}>, <@{DEV2}>" in shown(poll)
    assert f"<@{DEV3}>" not in shown(poll), "Dmitri is not waited for"
    [note] = notes(slack, poll)
    assert f"<@{DEV3}> {LEFT_OUT}" in note, note
    await vote(slack, DEV1, "5")
    await vote(slack, DEV2, "5")
    [result] = [m for m in replies(slack, poll) if LEFT_OUT not in shown(m)]
    assert "2 votes" in shown(result), "the two in the channel reveal the round"


async def test_a_user_groups_members_outside_the_channel_do_not_vote(slack):
    slack.emulator.add_user(ZOE, "zoe", real_name="Zoe Outsider", tz="Pacific/Auckland")
    slack.emulator.add_usergroup(DEVS, "devs", [DEV2, ZOE, DEV3])
    await setup_team(slack, "Export invoices")
    await poker(slack, f"1 voters <!subteam^{DEVS}|@devs>")
    poll = board(slack)
    assert f"*Waiting for:* <@{DEV2}>, <@{DEV3}>" in shown(poll)
    assert f"<@{ZOE}>" not in shown(poll)
    [note] = [m.text for m in replies(slack, poll)]
    assert note == (
        f":bust_in_silhouette: <@{ZOE}> {LEFT_OUT}: they do not vote in this poll. Invite "
        "them to the channel to count them in the next one."
    )


async def test_a_poll_where_everyone_named_is_in_the_channel_says_nothing_more(slack):
    await setup_team(slack, "Export invoices")
    await name_developers(slack)
    await poker(slack, "1 with po")
    poll = board(slack)
    assert f"*Waiting for:* <@{DEV1}>, <@{DEV2}>, <@{DEV3}>, <@{PO}>" in shown(poll)
    assert replies(slack, poll) == []


async def test_when_slack_will_not_list_the_channel_the_named_developers_still_vote(slack, caplog):
    caplog.set_level(logging.WARNING)
    await setup_team(slack, "Export invoices")
    await name_developers(slack)
    leaves(slack, DEV3)
    slack.emulator.fail_next("conversations.members", status=200, error="internal_error")
    await poker(slack, "1")
    poll = board(slack)
    assert f"*Waiting for:* <@{DEV1}>, <@{DEV2}>, <@{DEV3}>" in shown(poll), "nobody dropped"
    assert notes(slack, poll) == []
    said = [r.getMessage() for r in caplog.records]
    assert f"cannot tell who is in {CHANNEL} (internal_error): named voters kept" in said


async def test_when_slack_will_not_list_the_channel_its_developers_are_not_guessed(slack):
    """Developers are "everyone else in the channel" here: without the channel's members
    there is nobody to ask, and the facilitator is told what to do instead of an apology."""
    await setup_team(slack, "Export invoices")
    slack.emulator.fail_next("conversations.members", status=200, error="internal_error")
    answer = await poker(slack, "1")
    assert answer is not None and MEMBERS_UNKNOWN.split(",")[0] in shown(answer)
    assert "reference" not in shown(answer).lower(), "not an apology"


# -- sprint planning -------------------------------------------------------------------------------


async def at_capacity(slack: LocalStack) -> object:
    """A one-hour planning with #1 and a goal, at its capacity section: the Capacity card."""
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "next")  # the selection
    await cmd(slack, "/planning", "next")  # the capacity
    return thread(slack)[-1]


async def test_planning_counts_and_waits_for_the_developers_in_the_channel(slack):
    await setup(slack)
    await name_developers(slack)
    leaves(slack, DEV3)
    capacity = shown(await at_capacity(slack))
    assert "*Capacity:* 2 developers × 10 working days" in capacity, capacity
    assert f"<@{DEV3}> is not in the channel and is not counted.\\n*Forecast:*" in capacity
    await slack.driver.click("Days off & focus", user=SM, message=thread(slack)[-1])
    form = slack.emulator.open_view(SM)
    labels = [b.get("label", {}).get("text") for b in form.blocks]
    assert "Days off: Diana Dev" in labels and "Days off: Dmitri Dev" not in labels

    await cmd(slack, "/planning", "next")  # the breakdown
    await cmd(slack, "/planning", "next")  # the commitment
    card = thread(slack)[-1]
    await slack.driver.click("I commit", user=DEV1, message=card)
    said = shown(thread(slack)[-1])
    assert f"Waiting for <@{DEV2}>." in said, said
    await slack.driver.click("I commit", user=DEV2, message=card)
    assert posted(slack, "*Sprint 1 is committed*"), "nobody waits for Dmitri"


async def test_when_slack_will_not_list_the_channel_planning_keeps_the_named(slack, caplog):
    caplog.set_level(logging.WARNING)
    await setup(slack)
    await name_developers(slack)
    leaves(slack, DEV3)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "next")  # the selection
    slack.emulator.fail_next("conversations.members", status=200, error="internal_error", times=5)
    await cmd(slack, "/planning", "next")  # the capacity
    capacity = shown(thread(slack)[-1])
    assert "*Capacity:* 3 developers × 10 working days" in capacity, capacity
    assert "not counted" not in capacity
    assert "focus factor of 75%.\\n*Forecast:*" in capacity, "each figure on its own line"
    said = [r.getMessage() for r in caplog.records]
    assert f"cannot tell who is in {CHANNEL} (internal_error): named roles kept" in said
