"""A refusal reaches the person even where Slack will not show them a private message in the
channel: someone not in it (a public channel they only view) who submits a form opened without
a response_url is refused by a direct message, not left with a closed form and no word."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread
from tests.conftest import CHANNEL

EVE = "U0EVE"  # in the workspace, not in the team's channel


async def test_an_outsiders_refused_goal_form_is_answered_by_direct_message(slack):
    await setup_team(slack)
    slack.emulator.add_user(EVE, "eve", real_name="Eve Outside", tz="Europe/Paris")
    await refine(slack, "start")
    [kickoff] = thread(slack)

    await slack.driver.click("Set the session goal", user=EVE, message=kickoff)
    form = slack.emulator.open_view(EVE)
    assert form is not None, "the goal form opens for anyone who sees the card"
    await slack.driver.submit(form, {"What is this session for?": "Outsider's goal"}, user=EVE)
    await slack.settle()

    [told] = slack.emulator.dms(EVE)
    assert "not a member of this channel" in shown(told), shown(told)
    assert slack.emulator.ephemerals(CHANNEL, EVE) == []
    assert "Outsider's goal" not in shown(agenda_message(slack))
