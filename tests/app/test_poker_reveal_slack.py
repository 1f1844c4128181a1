"""A reveal as the channel reads it: the median said as a card of the deck (9, between 8 and
13, is no card: it reads 13, rounded up), and the voters who did not vote named, live and
async, so the facilitator knows which voice the estimate lacks."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3, SM


async def test_an_async_polls_reveal_shows_a_card_and_names_who_did_not_vote(slack):
    await setup_team(slack, "Export invoices")
    slack.clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))  # a Wednesday
    await poker(slack, "async 1 until fri 17:00")
    await vote(slack, DEV1, "5")
    await vote(slack, DEV2, "13")
    assert replies(slack, board(slack)) == [], "the poll waits for its third voter"
    assert await at(slack, datetime(2026, 12, 11, 16, 0, tzinfo=UTC)) >= 1  # 17:00 in Berlin
    [result] = replies(slack, board(slack))
    text = shown(result)
    assert "voting closed, 2 votes" in text
    assert "*Median* 13 (rounded up from 9) · *Mode* 5, 13" in text, text
    assert "*Median* 9" not in text, "9 is not a card of the deck"
    assert f"*Not voted:* <@{DEV3}>" in text, text
    assert f"<@{DEV1}> (5) and <@{DEV2}> (13): please tell the team why" in text


async def test_a_live_round_revealed_early_names_who_did_not_vote_and_a_full_one_nobody(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    await vote(slack, DEV1, "3")
    await vote(slack, DEV2, "3")
    await slack.driver.click("Reveal", user=SM, message=board(slack))
    await slack.settle()
    [early] = replies(slack, board(slack))
    assert f"*Not voted:* <@{DEV3}>" in shown(early), shown(early)
    await slack.driver.click("Accept 3", user=SM, message=early)
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5")
    await slack.settle()
    full = replies(slack, board(slack))[-1]
    assert "round 1: everyone voted" in shown(full)
    assert "Not voted" not in shown(full)


async def test_split_it_names_the_medians_card(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    for user, card in ((DEV1, "8"), (DEV2, "21"), (DEV3, "?")):
        await vote(slack, user, card)
    await slack.settle()
    [result] = replies(slack, board(slack))
    text = shown(result)
    assert "*Median* 21 (rounded up from 14.5)" in text, text
    assert "*Split it:* the median, 21, is above this team's split threshold of 13" in text
