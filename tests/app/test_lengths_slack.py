"""A poll or meeting of no length (issue 13, point 7): `0h`, `0m` and negative lengths are
refused with a plain private answer, as `9h` is, and nothing starts."""

from __future__ import annotations

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import polls, setup_team
from tests.conftest import CHANNEL, DEV1, SM, beside_roles


async def run(slack: LocalStack, command: str, text: str) -> str:
    """`command text` run by the Scrum Master; their newest private answer, as shown."""
    ack = await slack.driver.command(command, text, user=SM, channel=CHANNEL)
    assert ack.status == 200 and ack.text == ""
    return shown(last_ephemeral(slack, SM))


async def open_meeting(slack: LocalStack) -> object:
    async with slack.db.transaction() as store:
        team = await store.team(slack.emulator.team_id, CHANNEL)
        return await store.open_meeting(team.id) if team is not None else None


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("async 1 for 0h", "`0h` is no time at all"),
        ("async 1 for 0m", "`0m` is no time at all"),
        ("async 1 for 0d", "`0d` is no time at all"),
        ("async 1 for -2h", "`-2h` is a negative length"),
    ],
)
async def test_a_poll_of_no_length_is_refused(slack, text, refusal):
    await setup_team(slack, "Export invoices")
    answer = await run(slack, "/poker", text)
    assert refusal in answer and "Usage: `/poker async" in answer
    assert polls(slack) == [], "no 24-hour poll started instead"


@pytest.mark.parametrize("command", ["/refine", "/planning"])
@pytest.mark.parametrize(
    ("length", "refusal"),
    [
        ("0m", "`0m` is no time at all"),
        ("0", "`0` is no time at all"),
        ("0h0m", "`0h0m` is no time at all"),
        ("-30m", "`-30m` is a negative length"),
        ("9h", "A meeting lasts between 5 minutes and 8 hours."),
    ],
)
async def test_a_meeting_of_no_length_is_refused_like_one_too_long(slack, command, length, refusal):
    await setup_team(slack, "Export invoices")
    await slack.driver.command("/backlog", "add Dark mode", user=DEV1, channel=CHANNEL)
    answer = await run(slack, command, f"start {length}")
    assert refusal in answer
    assert await open_meeting(slack) is None, "no meeting of the default length started"
    posted = beside_roles(slack.emulator.messages(CHANNEL))  # but the setup's roles, told
    assert [m for m in posted if m.user == "UBOT"] == []
