"""A Developer who started a poll facilitates it while a member of the channel: once they
have left it, their Reveal, Accept, Skip and Re-vote clicks (on a board their client still
shows) are refused privately as anyone outside the team's are, and change nothing; a Scrum
Master still facilitates the poll."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_presence_slack import leaves
from tests.app.test_poker_slack import (
    board,
    estimate_of,
    poker,
    replies,
    setup_team,
    vote,
)
from tests.conftest import DEV1, DEV2, DEV3, SM

REFUSED = "You are not a member of this channel"


async def test_a_facilitator_who_left_reveals_nothing_and_a_scrum_master_still_may(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1", user=DEV1)  # DEV1 starts it, so facilitates it
    await vote(slack, DEV2, "5")
    leaves(slack, DEV1)
    await slack.driver.click("Reveal", user=DEV1, message=board(slack))
    assert REFUSED in last_ephemeral(slack, DEV1).text, last_ephemeral(slack, DEV1).text
    assert replies(slack, board(slack)) == [], "nothing revealed"
    await slack.driver.click("Reveal", user=SM, message=board(slack))
    [result] = replies(slack, board(slack))
    assert f"revealed by <@{SM}>" in shown(result), shown(result)


async def test_a_facilitator_who_left_neither_accepts_skips_nor_starts_another_round(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1", user=DEV1)
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5")
    [result] = replies(slack, board(slack))
    leaves(slack, DEV1)
    for button in ("Accept 5", "Skip", "Re-vote"):
        await slack.driver.click(button, user=DEV1, message=result)
        assert REFUSED in last_ephemeral(slack, DEV1).text, button
    assert await estimate_of(slack, 1) is None, "no estimate accepted"
    assert "round 2" not in shown(board(slack)), "no second round"
    await slack.driver.click("Accept 5", user=SM, message=result)
    assert await estimate_of(slack, 1) == 5.0
