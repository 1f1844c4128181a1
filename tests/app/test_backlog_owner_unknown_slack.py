"""When Slack cannot list the team's channel, whether an item's new owner is in it is unknown:
the submitter is not told that they are not (elsewhere too, when Slack cannot list the channel,
everyone named counts)."""

from __future__ import annotations

from tests.app.test_backlog_owner_slack import NOT_IN, ZOE, owner_of, owner_set
from tests.app.test_backlog_slack import add, name_po
from tests.conftest import DEV1


async def test_an_owner_slack_cannot_place_is_saved_without_a_word_about_the_channel(slack):
    slack.emulator.add_user(ZOE, "zoe", real_name="Zoe Outsider", tz="Pacific/Auckland")
    await add(slack, "Export invoices")
    await name_po(slack)
    asked = len(slack.emulator.calls_to("conversations.members"))
    slack.emulator.fail_next("conversations.members", status=200, error="internal_error")
    answers = await owner_set(slack, ZOE)
    assert len(slack.emulator.calls_to("conversations.members")) > asked, "Slack was asked"
    assert await owner_of(slack) == ZOE
    assert any("Saved *#1* Export invoices: changed owner" in a for a in answers), answers
    assert not any(NOT_IN in a for a in answers), answers
    await owner_set(slack, DEV1)
    assert any(NOT_IN in a for a in await owner_set(slack, ZOE)), "Slack answering, it is said"
