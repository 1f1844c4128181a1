"""The item form's owner (a users_select, which offers anyone in the workspace) is someone in
the team's channel. Who is in the channel is Slack's to say, and no Web API call may come
before a submission's ack, so the form cannot refuse an outsider under the field: it saves,
and after the ack the submitter is told privately that the owner is not in the channel."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import add, backlog, last_ephemeral
from tests.conftest import CHANNEL, DEV1, PO

ZOE = "U0ZOE"  # in the workspace, not in the team's channel
NOT_IN = "is not in this channel"


async def owner_set(slack: LocalStack, owner: str) -> list[str]:
    """Paula sets #1's owner in its form; the private answers she gets for it."""
    await backlog(slack, "edit 1")
    before = len(slack.emulator.ephemerals(CHANNEL, PO))
    await slack.driver.submit(slack.emulator.open_view(PO), {"Owner": owner}, user=PO)
    assert slack.emulator.open_view(PO) is None, "the form closes: nothing to fix in it"
    return [e.text for e in slack.emulator.ephemerals(CHANNEL, PO)[before:]]


async def owner_of(slack: LocalStack) -> str | None:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return (await store.item(team.id, 1)).owner


async def test_an_owner_outside_the_channel_is_saved_and_the_submitter_told_privately(slack):
    slack.emulator.add_user(ZOE, "zoe", real_name="Zoe Outsider", tz="Pacific/Auckland")
    await add(slack, "Export invoices")
    answers = await owner_set(slack, ZOE)
    assert await owner_of(slack) == ZOE
    assert any("Saved *#1* Export invoices: changed owner" in a for a in answers), answers
    [note] = [a for a in answers if NOT_IN in a]
    assert f"<@{ZOE}> {NOT_IN}" in note and "#1" in note and "/invite" in note
    assert slack.emulator.ephemerals(CHANNEL, ZOE) == [], "told to the submitter alone"
    assert last_ephemeral(slack).text == note, "after the saved notice"


async def test_an_owner_in_the_channel_says_nothing_more_nor_a_save_that_keeps_the_owner(slack):
    slack.emulator.add_user(ZOE, "zoe", real_name="Zoe Outsider", tz="Pacific/Auckland")
    await add(slack, "Export invoices")
    answers = await owner_set(slack, DEV1)
    assert await owner_of(slack) == DEV1
    assert not any(NOT_IN in a for a in answers), answers
    assert any(NOT_IN in a for a in await owner_set(slack, ZOE))
    await backlog(slack, "edit 1")
    await slack.driver.submit(slack.emulator.open_view(PO), {"Epic": "Billing"}, user=PO)
    saved = last_ephemeral(slack).text
    assert "changed epic" in saved and NOT_IN not in saved, "told once, when it was set"
