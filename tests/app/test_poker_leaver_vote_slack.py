"""A vote clicked by someone who has left the channel, before the poll knew it (nothing is
asked of Slack before a vote's ack): their confirmation cannot reach them (Slack answers
`user_not_in_channel`), which is how the poll learns it. The vote is taken back, they are
refused privately as anyone outside the poll is, the poll waits for them no more, and their
card counts in no result. A vote given while they were a member stays."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_presence_slack import leaves
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3

DEADLINE = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # the setup's now + 4h, past it


def refusals(slack: LocalStack, user: str) -> list[str]:
    return [shown(e) for e in slack.emulator.ephemerals(CHANNEL, user) if "not counted" in shown(e)]


async def test_a_vote_clicked_after_leaving_is_refused_and_counts_in_no_result(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 2 for 4h")
    leaves(slack, DEV2)
    await vote(slack, DEV2, "5")
    await slack.settle()
    assert refusals(slack, DEV2), "refused privately, as someone outside the poll is"
    text = shown(board(slack))
    assert f"<@{DEV2}>" not in text, text
    assert "Voted (0/2)" in text, text
    await at(slack, DEADLINE)
    [result] = replies(slack, board(slack))
    assert f"<@{DEV2}>" not in shown(result), shown(result)
    assert "single estimate" not in shown(result), shown(result)


async def test_the_last_expected_vote_clicked_after_leaving_reveals_nothing_of_it(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 4h")
    await vote(slack, DEV1, "3")
    await vote(slack, DEV3, "3")
    leaves(slack, DEV2)
    await vote(slack, DEV2, "13")  # would be the last vote the poll waits for
    await slack.settle()
    assert refusals(slack, DEV2)
    [result] = replies(slack, board(slack))
    assert "everyone voted, 2 votes." in shown(result), shown(result)
    assert f"<@{DEV2}>" not in shown(result) and "`13`" not in shown(result), shown(result)


async def test_a_vote_given_while_a_member_stays_and_a_change_after_leaving_does_not(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 4h")
    await vote(slack, DEV2, "8")
    assert "You voted *8*" in last_ephemeral(slack, DEV2).text
    leaves(slack, DEV2)
    await vote(slack, DEV2, "1")  # a change of mind after leaving
    await slack.settle()
    assert refusals(slack, DEV2)
    await vote(slack, DEV1, "5")
    await vote(slack, DEV3, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "3 votes" in shown(result) and f"`8` ▇ 1 · <@{DEV2}>" in shown(result), shown(result)
