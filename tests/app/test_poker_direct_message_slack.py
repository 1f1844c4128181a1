"""`/poker` typed in a direct message is answered as /backlog or /sprint are there: Timebox
plans in a channel. The DM does not become a team (no `teams` row, no setup form offered);
`/poker help` still answers."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_team_members_slack import DM, last_answer
from tests.conftest import DEV1


async def test_poker_in_a_direct_message_points_to_a_channel_and_makes_no_team(slack):
    slack.emulator.add_channel(DM, "dm", members=[DEV1, "UBOT"])
    for text in ("", "async 1", "deck tshirt", "calibrate", "live", "pick", "history 1"):
        ack = await slack.driver.command("/poker", text, user=DEV1, channel=DM)
        assert ack.status == 200
        answer = shown(last_answer(slack, DEV1, DM))
        assert "Timebox plans in a channel" in answer and "/invite @Timebox" in answer, text
        assert "/poker" in answer, "it names the command typed"
        assert "Set up the team" not in answer, text
        assert slack.emulator.open_view(DEV1) is None, "no setup form for a DM"
        async with slack.db.transaction() as store:
            assert await store.team("T0TEAM", DM) is None, f"`/poker {text}` made a team"

    await slack.driver.command("/poker", "help", user=DEV1, channel=DM)
    assert "Timebox plans in a channel" not in shown(last_answer(slack, DEV1, DM))
