"""Every timeboxed meeting's agenda can be seen and changed from its own command, as the
refinement's always could: `/planning agenda` shows the sprint planning agenda and
`/review agenda` the review's, each with the buttons that change it (which name its kind)."""

from __future__ import annotations

import pytest

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_refine_slack import setup_team
from tests.conftest import CHANNEL, SM


@pytest.mark.parametrize(
    ("command", "name"), [("/planning", "Sprint planning"), ("/review", "Sprint review")]
)
async def test_a_meeting_commands_agenda_shows_that_kind_with_its_buttons(slack, command, name):
    await setup_team(slack)
    ack = await slack.driver.command(command, "agenda", user=SM, channel=CHANNEL)
    assert ack.status == 200
    said = last_ephemeral(slack, SM)
    assert name in shown(said), shown(said)
    values = [
        e["value"]
        for block in said.blocks
        if block.get("type") == "actions"
        for e in block["elements"]
    ]
    kind = command.lstrip("/")
    assert values and all(v.startswith(f"{kind}:{CHANNEL}") for v in values), values
