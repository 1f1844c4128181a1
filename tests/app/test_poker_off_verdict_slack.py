"""A revealed round on an item archived during the poll offers only Skip, and its words ask for
nothing else (QA: "No consensus … Then re-vote." above a lone Skip button): no re-vote, no
estimate to accept or decide on, no split before a sprint."""

from __future__ import annotations

import pytest

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import board, buttons, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, PO, SM

VOTES = {
    "no consensus": ("1", "8"),
    "neighbours": ("3", "5"),
    "a single estimate": ("21",),  # above the split threshold of 13, too
}


@pytest.mark.parametrize("votes", VOTES.values(), ids=VOTES.keys())
async def test_the_result_of_an_archived_item_asks_only_for_what_its_buttons_do(slack, votes):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    for dev, card in zip((DEV1, DEV2), votes, strict=False):
        await vote(slack, dev, card)
    await slack.driver.command("/backlog", "remove 1", user=PO, channel=CHANNEL)
    await slack.driver.click("Reveal", user=SM, message=board(slack))
    await slack.settle()

    [result] = replies(slack, board(slack))

    text = shown(result)
    assert buttons(result) == ["Skip"], buttons(result)
    assert "#1 was archived, so this poll estimates it no more" in text, text
    for asked in ("re-vote", "facilitator accepts", "facilitator decides", "Split it"):
        assert asked not in text, (asked, text)
