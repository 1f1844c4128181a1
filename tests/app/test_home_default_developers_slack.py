"""The Home tab shows the teams where the user is a Developer by default ("Developers: everyone
else in the channel"): Slack is asked whether they are in those channels, once per channel, and
only for the set-up teams that do not show already; someone named for a role asks nothing."""

from __future__ import annotations

from tests.app.test_home_slack import home
from tests.conftest import CHANNEL, DEV1, DEV3, PO, SM, roles

OTHER = "C0OTHER"  # Dmitri is not in it
NAMED = "C0NAMED"  # its Developers are named: Diana


async def test_a_default_developer_sees_the_teams_of_their_channels(slack):
    assert "*Nothing here for you yet.*" in await home(slack, DEV3)
    slack.emulator.add_channel(OTHER, "team-b", members=[PO, SM, DEV1, "UBOT"])
    slack.emulator.add_channel(NAMED, "team-c", members=[PO, SM, DEV1, DEV3, "UBOT"])
    for channel in (CHANNEL, OTHER, NAMED):
        await roles(slack, channel)
    ack = await slack.driver.command("/timebox", f"roles dev <@{DEV1}>", user=PO, channel=NAMED)
    assert ack.status == 200

    slack.emulator.reset_calls()
    dmitri = await home(slack, DEV3)
    assert "Nothing here for you yet" not in dmitri, dmitri
    assert f"<#{CHANNEL}>* · Developer ·" in dmitri, dmitri
    assert OTHER not in dmitri and NAMED not in dmitri, "not his channel, not his role"
    asked = [c.args.get("channel") for c in slack.emulator.calls_to("conversations.members")]
    assert sorted(asked) == sorted([CHANNEL, OTHER]), "a call per channel, whose Developers: anyone"

    slack.emulator.reset_calls()
    paula = await home(slack, PO)
    assert all(f"<#{c}>* · Product Owner" in paula for c in (CHANNEL, OTHER, NAMED)), paula
    assert slack.emulator.calls_to("conversations.members") == [], "her teams show already"
