"""`/ready dor` offers its *Edit Definition of Ready* button only to those who may change it
(the PO and Scrum Masters, or anyone while nobody holds those roles: the button then leads to
the team's setup): a Developer no longer gets a button that only refuses them."""

from __future__ import annotations

from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral
from tests.conftest import CHANNEL, DEV1, PO, SM, roles


def action_ids(message: Any) -> list[str]:
    return [
        element.get("action_id")
        for block in message.blocks or []
        for element in block.get("elements") or []
        if element.get("type") == "button"
    ]


async def dor_buttons(slack: LocalStack, user: str) -> list[str]:
    ack = await slack.driver.command("/ready", "dor", user=user, channel=CHANNEL)
    assert ack.status == 200
    return action_ids(last_ephemeral(slack, user))


async def test_only_those_who_may_change_it_see_the_edit_button(slack):
    assert "dor_edit" in await dor_buttons(slack, DEV1), "no roles yet: it leads to the setup"
    await roles(slack)

    assert "dor_edit" in await dor_buttons(slack, PO)
    assert "dor_edit" in await dor_buttons(slack, SM)
    assert "dor_edit" not in await dor_buttons(slack, DEV1)
