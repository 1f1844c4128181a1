"""A live round's voters as the channel has them now: a voter who leaves the channel during
the round is no longer waited for, as in an async poll; the round reveals with the last vote
of those still in it, and the board stops naming them."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_presence_slack import leaves
from tests.app.test_poker_slack import board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3


async def test_a_live_voter_who_leaves_is_not_waited_for_and_the_last_vote_left_reveals(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    assert f"<@{DEV3}>" in shown(board(slack))
    await vote(slack, DEV1, "3")
    leaves(slack, DEV3)
    await vote(slack, DEV2, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "round 1: everyone voted, 2 votes." in shown(result), shown(result)
    assert f"<@{DEV3}>" not in shown(board(slack)), "Dmitri is waited for no more"
