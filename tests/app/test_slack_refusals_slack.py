"""Slack refusing something the person can act on is answered plainly, never as a bug of ours:
a user group Slack will not list the members of (handlers/common.py `group_members`), and a
form Slack would not open because its trigger had expired (handlers/errors.py). Neither gets
the apology with an error reference, nor an ERROR log line. (From QA 7.)"""

from __future__ import annotations

import logging

import pytest

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import board, polls, setup_team
from tests.conftest import CHANNEL, DEV1, DEV2, PO, SM

APOLOGY = "Sorry, something went wrong on my side"


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def logged(caplog: pytest.LogCaptureFixture, words: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if words in r.getMessage()]


# -- a user group Slack will not list -------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "words"),
    [("/poker", "1 voters"), ("/timebox", "roles dev")],
    ids=["poker voters", "roles dev"],
)
async def test_a_user_group_slack_will_not_list_gets_a_plain_answer(slack, caplog, command, words):
    """`/poker 1 voters @old-devs` or `/timebox roles dev @old-devs` for a group Slack answers
    `no_such_subteam` for (disabled since, or another organisation's in a shared channel):
    the person is told privately that Slack would not list the members of @old-devs and to
    name the people instead; nothing is done (no poll, the Developers unchanged), and the log
    has one INFO line naming the group, no ERROR."""
    caplog.set_level(logging.INFO)
    await setup_team(slack, "Export invoices")
    group = "<!subteam^S0GONE|@old-devs>"
    await slack.driver.command(command, f"{words} {group}", user=SM, channel=CHANNEL)
    said = last_ephemeral(slack, SM).text
    assert APOLOGY not in said, said
    assert "@old-devs" in said, "the answer names the group it could not read"
    assert "would not list the members" in said and "Name its people instead" in said, said
    assert "<!subteam" not in said, "the group is named, never notified"
    assert errors(caplog) == []
    assert [r.levelno for r in logged(caplog, "S0GONE not listed: no_such_subteam")] == [
        logging.INFO
    ]
    assert polls(slack) == []
    await slack.driver.command("/timebox", "roles", user=SM, channel=CHANNEL)
    assert "@old-devs" not in last_ephemeral(slack, SM).text, "no role went to the group"


async def test_a_role_held_by_a_group_slack_no_longer_lists_is_shown_as_last_known(slack, caplog):
    """The Developers are @devs; Slack later answers `no_such_subteam` for it (the group was
    disabled): `/timebox roles` still shows the roles, @devs with the members it was last
    known with, neither a refusal nor the apology (showing refuses nothing)."""
    await setup_team(slack, "Export invoices")
    slack.emulator.add_usergroup("S0DEVS", "devs", [DEV1, DEV2])
    await slack.driver.command(
        "/timebox", "roles dev <!subteam^S0DEVS|@devs>", user=SM, channel=CHANNEL
    )
    del slack.emulator.usergroups["S0DEVS"]
    await slack.driver.command("/timebox", "roles", user=SM, channel=CHANNEL)
    said = shown(last_ephemeral(slack, SM))
    assert APOLOGY not in said and "Name its people instead" not in said, said
    assert DEV1 in said and DEV2 in said, said
    assert errors(caplog) == []


# -- a form whose trigger expired -----------------------------------------------------------------


@pytest.mark.parametrize("error", ["expired_trigger_id", "exchanged_trigger_id"])
async def test_a_form_whose_trigger_expired_says_to_try_again(slack, caplog, error):
    """views.open answers `expired_trigger_id` (the 3 seconds passed while the bot was slow)
    or `exchanged_trigger_id` (the trigger opened a form already) to `/backlog edit 1`: the
    person is told privately that the form could not open in time and to run it again; the
    log has one WARNING line saying so, no ERROR. Run again, the form opens."""
    await setup_team(slack, "Export invoices")
    slack.emulator.fail_next("views.open", status=200, error=error)
    await slack.driver.command("/backlog", "edit 1", user=PO, channel=CHANNEL)
    said = last_ephemeral(slack, PO).text
    assert APOLOGY not in said, said
    assert "could not open in time" in said and "again" in said, said
    assert errors(caplog) == []
    warned = logged(caplog, f"a form did not open: views.open answered {error}")
    assert [r.levelno for r in warned] == [logging.WARNING]
    await slack.driver.command("/backlog", "edit 1", user=PO, channel=CHANNEL)
    assert slack.emulator.open_view(PO) is not None


async def test_a_buttons_form_whose_trigger_expired_says_to_try_again(slack, caplog):
    """The same for a form a button opens ("Vote with a reason", views.open called by its
    listener directly): the voter is told to click again, no apology, no ERROR."""
    await setup_team(slack, "Export invoices")
    await slack.driver.command("/poker", "1", user=SM, channel=CHANNEL)
    slack.emulator.fail_next("views.open", status=200, error="expired_trigger_id")
    await slack.driver.click("Vote with a reason", user=DEV1, message=board(slack))
    said = last_ephemeral(slack, DEV1).text
    assert APOLOGY not in said, said
    assert "could not open in time" in said and "again" in said, said
    assert errors(caplog) == []
