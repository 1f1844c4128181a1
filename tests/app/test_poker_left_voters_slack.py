"""The voters an async poll stopped waiting for, having left the channel, are kept in a list of
their own on the poll (not among its reminders' keys): one named by the facilitator who comes
back may vote again, and is then a voter like the others."""

from __future__ import annotations

from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import board, poker, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3


async def stored_poll(slack: LocalStack) -> Any:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [poll] = await store.open_polls(team.id)
        return poll


async def test_a_named_voter_who_left_is_kept_as_such_and_votes_again_on_coming_back(slack):
    await setup_team(slack, "Export invoices")
    named = f"voters <@{DEV1}|diana> <@{DEV2}|devon> <@{DEV3}|dmitri>"
    await poker(slack, f"async 1 for 24h {named}")
    slack.emulator.channels[CHANNEL].members.remove(DEV3)
    await vote(slack, DEV1, "3")
    await slack.settle()
    poll = await stored_poll(slack)
    assert (poll.voters, poll.left_voters) == ([DEV1, DEV2], [DEV3])
    assert not any(mark.startswith("left:") for mark in poll.nudges)
    assert f"<@{DEV3}>" not in shown(board(slack))
    slack.emulator.channels[CHANNEL].members.append(DEV3)
    await vote(slack, DEV3, "5")
    await slack.settle()
    assert "You voted *5* on *#1*" in last_ephemeral(slack, DEV3).text
    poll = await stored_poll(slack)
    assert (poll.voters, poll.left_voters) == ([DEV1, DEV2, DEV3], [])
