"""What a poll's round is about, through the real app: a result drawn again names as not voted
only those its round waited for (not a newcomer who joined the async poll after its reveal);
an item archived during an async poll is estimated no more (its votes refused privately, its
reminders and its result's Accept gone, closed unrevealed at the deadline)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_presence_slack import ZOE, joins
from tests.app.test_poker_slack import at, board, buttons, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM


async def test_a_redrawn_result_does_not_name_a_voter_who_joined_after_its_reveal(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)
    for dev in (DEV1, DEV2, DEV3):
        await vote(slack, dev, "5")  # #1's "5"
    await slack.settle()
    [result] = replies(slack, poll)
    assert "everyone voted, 3 votes." in shown(result) and "Not voted" not in shown(result)
    joins(slack, ZOE)
    await slack.driver.act(poll, "poker-2-cards-0", "poker_vote:5", user=ZOE)  # #2's "5"
    await slack.settle()
    assert "You voted *5* on *#2*" in last_ephemeral(slack, ZOE).text

    await slack.driver.click("Accept 5", user=SM, message=result)
    await slack.settle()

    [result] = [r for r in replies(slack, poll) if "round 1: everyone voted" in shown(r)]
    assert "accepted *5*" in shown(result), "redrawn with the decision"
    assert "Not voted" not in shown(result) and f"<@{ZOE}>" not in shown(result)


async def test_an_item_archived_during_an_async_poll_is_estimated_no_more(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)
    await slack.driver.act(poll, "poker-2-cards-0", "poker_vote:5", user=DEV1)  # #2's "5"
    await slack.driver.command("/backlog", "remove 2", user=PO, channel=CHANNEL)

    await slack.driver.act(poll, "poker-2-cards-0", "poker_vote:6", user=DEV2)  # #2's "8"
    await slack.settle()

    refusal = last_ephemeral(slack, DEV2).text
    assert "not counted" in refusal and "#2 was archived" in refusal, refusal
    await at(slack, datetime(2026, 3, 3, 2, 30, tzinfo=UTC))  # half time, in each voter's day
    for dev in (DEV1, DEV2, DEV3):
        [dm] = slack.emulator.dms(dev)
        assert "*#1*" in shown(dm) and "#2" not in shown(dm), shown(dm)
    shown_board = shown(board(slack))
    assert "#2 was archived: this poll takes no more votes on it" in shown_board, shown_board
    await at(slack, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # an hour before
    assert all(
        "#2" not in shown(dm) for dev in (DEV1, DEV2, DEV3) for dm in slack.emulator.dms(dev)
    )

    await at(slack, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))  # the deadline

    results = replies(slack, poll)
    assert [r for r in results if "*#2*" in shown(r)] == [], "no result, nothing to accept"
    [notice] = [m for m in slack.emulator.messages(CHANNEL) if "has closed" in m.text]
    assert "#2 was archived, not estimated" in shown(notice), shown(notice)
    assert "#2 was archived: not estimated" in shown(board(slack))


async def test_a_revealed_round_of_an_archived_item_offers_only_skip(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    for dev in (DEV1, DEV2):
        await vote(slack, dev, "5")
    await slack.driver.command("/backlog", "remove 1", user=PO, channel=CHANNEL)
    await vote(slack, DEV3, "5")
    assert "#1 was archived" in last_ephemeral(slack, DEV3).text
    await slack.driver.click("Reveal", user=SM, message=board(slack))
    await slack.settle()
    [result] = replies(slack, board(slack))

    assert buttons(result) == ["Skip"], buttons(result)
    assert "#1 was archived, so this poll estimates it no more" in shown(result)
    await slack.driver.click("Skip", user=SM, message=result)
    await slack.settle()
    assert "all done" in shown(board(slack))
