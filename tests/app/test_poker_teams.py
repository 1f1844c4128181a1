"""A poker click is resolved inside the team it comes from (issue 14, point 1).

A round or poll id travels in button values. A Scrum Master of another channel, or of another
workspace's channel with the same id (Slack Connect), clicking a button that carries this
team's round id gets a plain refusal, and nothing changes: no reveal, no vote, no estimate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from typing import Any

from bot.emulator.driver import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from tests.app.test_poker_slack import board, estimate_of, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, SM

OTHER = "C0OTHER"
OTHER_SM = "U0OSCAR"  # the Scrum Master of the other channel
FOREIGN = "T0FOREIGN"  # another workspace, sharing a channel with the same id
FOREIGN_SM = "U0FRIDA"
REFUSAL = "That poker round belongs to another channel's team"


def elsewhere(message: Any, channel: str = OTHER) -> Any:
    """This team's message as a click from `channel` carries it: the same buttons and ids."""
    return dataclasses.replace(message, channel=channel)


async def refused(slack: LocalStack, click: Awaitable[Any], user: str, channel: str = OTHER) -> str:
    """Makes the click; the private answer it got."""
    before = len(slack.emulator.ephemerals(channel, user))
    await click
    answers = slack.emulator.ephemerals(channel, user)
    assert len(answers) > before, f"{user} got no answer in {channel}"
    return answers[-1].text


async def other_channel(slack: LocalStack) -> None:
    """A second team in the same workspace, with OTHER_SM as its Scrum Master and the first
    team's developers in it too."""
    slack.emulator.add_user(OTHER_SM, "oscar")
    slack.emulator.add_channel(OTHER, "team-b", members=[OTHER_SM, DEV1, DEV2, "UBOT"])
    await slack.driver.command(
        "/timebox", f"roles sm <@{OTHER_SM}|oscar>", user=OTHER_SM, channel=OTHER
    )


async def foreign_workspace(slack: LocalStack) -> SlackDriver:
    """A driver for people of another workspace in a channel with the same id (Slack
    Connect); FOREIGN_SM holds the Scrum Master role of that workspace's team."""
    slack.emulator.add_workspace(FOREIGN, "Foreign")
    slack.emulator.add_user(FOREIGN_SM, "frida")
    slack.emulator.channels[CHANNEL].members.append(FOREIGN_SM)
    driver = SlackDriver(
        slack.emulator,
        app_url=f"{slack.url}/slack/events",
        signing_secret=SIGNING_SECRET,
        settle=slack.settle,
        team_id=FOREIGN,
    )
    await driver.command(
        "/timebox", f"roles sm <@{FOREIGN_SM}|frida>", user=FOREIGN_SM, channel=CHANNEL
    )
    return driver


async def round_state(slack: LocalStack) -> tuple[str, list[str]]:
    """The first round's status and who has voted in it."""
    async with slack.db.transaction() as store:
        round_ = await store.poker_round(1)
        assert round_ is not None
        voters = (await store.voters_in([1]))[1]
    return round_.status, voters


async def test_another_channels_scrum_master_cannot_reveal_or_accept_this_teams_round(slack):
    await setup_team(slack, "Export invoices")
    await other_channel(slack)
    await poker(slack, "1")
    poll = board(slack)
    await vote(slack, DEV1, "5")

    assert REFUSAL in await refused(
        slack, slack.driver.click("Reveal", user=OTHER_SM, message=elsewhere(poll)), OTHER_SM
    )
    assert await round_state(slack) == ("voting", [DEV1]), "nothing revealed"
    assert replies(slack, poll) == []

    await slack.driver.click("Reveal", user=SM, message=poll)  # this team's Scrum Master may
    [result] = replies(slack, poll)
    assert REFUSAL in await refused(
        slack, slack.driver.click("Accept 5", user=OTHER_SM, message=elsewhere(result)), OTHER_SM
    )
    assert REFUSAL in await refused(
        slack, slack.driver.click("Re-vote", user=OTHER_SM, message=elsewhere(result)), OTHER_SM
    )
    assert REFUSAL in await refused(
        slack, slack.driver.click("Skip", user=OTHER_SM, message=elsewhere(result)), OTHER_SM
    )
    assert await estimate_of(slack, 1) is None, "no estimate accepted"
    assert await round_state(slack) == ("revealed", [DEV1]), "not decided, not re-voted"
    assert len(replies(slack, poll)) == 1, "no new round announced"


async def test_a_vote_from_another_channel_with_this_teams_round_is_not_counted(slack):
    await setup_team(slack, "Export invoices")
    await other_channel(slack)
    await poker(slack, "1")
    poll = board(slack)
    click = vote(slack, DEV2, "8", message=elsewhere(poll))  # DEV2 votes here, not from there
    assert REFUSAL in await refused(slack, click, DEV2)
    assert await round_state(slack) == ("voting", [])
    assert REFUSAL in await refused(
        slack, slack.driver.click("Vote with a reason", user=DEV2, message=elsewhere(poll)), DEV2
    )
    assert slack.emulator.open_view(DEV2) is None, "no form for another team's round"
    for user in (DEV1, DEV2):
        await vote(slack, user, "3")
    await vote(slack, DEV3, "3", message=elsewhere(poll))  # not a member there: still refused
    assert await round_state(slack) == ("voting", [DEV1, DEV2]), "the last vote did not reveal"
    assert replies(slack, poll) == []


async def test_a_scrum_master_of_another_workspace_with_the_same_channel_id_is_refused(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    poll = board(slack)
    await vote(slack, DEV1, "5")
    foreign = await foreign_workspace(slack)
    try:
        assert REFUSAL in await refused(
            slack, foreign.click("Reveal", user=FOREIGN_SM, message=poll), FOREIGN_SM, CHANNEL
        )
        assert REFUSAL in await refused(
            slack, foreign.click("5", user=FOREIGN_SM, message=poll), FOREIGN_SM, CHANNEL
        )
        assert await round_state(slack) == ("voting", [DEV1])
        await slack.driver.click("Reveal", user=SM, message=poll)
        [result] = replies(slack, poll)
        assert REFUSAL in await refused(
            slack, foreign.click("Accept 5", user=FOREIGN_SM, message=result), FOREIGN_SM, CHANNEL
        )
        assert REFUSAL in await refused(
            slack, foreign.click("Re-vote", user=FOREIGN_SM, message=result), FOREIGN_SM, CHANNEL
        )
    finally:
        await foreign.aclose()
    assert await estimate_of(slack, 1) is None
    assert await round_state(slack) == ("revealed", [DEV1])
    assert len(replies(slack, poll)) == 1
    async with slack.db.transaction() as store:
        team = await store.team(FOREIGN, CHANNEL)
        assert team is not None and await store.unestimated(team.id, 5) == []
