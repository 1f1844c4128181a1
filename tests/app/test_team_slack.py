"""Who may act on a team, end to end: a readiness fix button opens its form only for someone
who belongs to the team it names, and people outside a channel may look but change nothing
(issue 14, points 1 and 7)."""

from __future__ import annotations

from bot.emulator import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_ready_slack import make_team, ready
from tests.conftest import CHANNEL, DEV1, PO

OTHER = "C0OTHER"  # another channel of the same workspace
OUTSIDER = "U0OLGA"  # in OTHER only, no role in the team
EVE = "U0EVE"  # in workspace T2, which shares the team's channel (Slack Connect)
ELSEWHERE = "belongs to a team you are not part of"
OUTSIDE = "You are not a member of this channel, so you can look but not change anything"


def outsider(slack: LocalStack) -> None:
    slack.emulator.add_user(OUTSIDER, "olga", real_name="Olga Outside", tz="Asia/Tokyo")
    slack.emulator.add_channel(OTHER, "elsewhere", members=[OUTSIDER, "UBOT"])


def other_workspace(slack: LocalStack) -> SlackDriver:
    """A person in workspace T2, a member of the team's channel id there."""
    slack.emulator.add_workspace("T2", "Second")
    slack.emulator.add_user(EVE, "eve", tz="Europe/Paris")
    slack.emulator.channels[CHANNEL].members.append(EVE)
    return SlackDriver(
        slack.emulator,
        app_url=f"{slack.url}/slack/events",
        signing_secret=SIGNING_SECRET,
        settle=slack.settle,
        team_id="T2",
    )


async def item_state(slack: LocalStack, workspace: str = "T0TEAM") -> tuple[str, int]:
    async with slack.db.transaction() as store:
        team = await store.team(workspace, CHANNEL)
        assert team is not None
        item = await store.item(team.id, 1)
        assert item is not None
        return item.hypothesis, len(team.roles)


async def test_a_fix_button_in_another_channel_opens_nothing_for_an_outsider(slack):
    outsider(slack)
    await make_team(slack, ["Export invoices"])
    report = await ready(slack)
    # The button, naming the team's channel in its value, shows up in another channel.
    copied = slack.emulator.add_message(OTHER, OUTSIDER, "look at this", blocks=report.blocks)
    await slack.driver.click("Write hypothesis", user=OUTSIDER, message=copied)
    assert slack.emulator.open_view(OUTSIDER) is None, "no form for someone outside the team"
    [refused] = slack.emulator.ephemerals(OTHER, OUTSIDER)
    assert ELSEWHERE in refused.text
    # Nor on the team's own message.
    await slack.driver.click("Write hypothesis", user=OUTSIDER, message=report)
    assert slack.emulator.open_view(OUTSIDER) is None
    assert ELSEWHERE in last_ephemeral(slack, OUTSIDER).text
    assert await item_state(slack) == ("", 1)


async def test_a_fix_button_from_another_workspace_with_the_same_channel_id(slack):
    eve = other_workspace(slack)
    await make_team(slack, ["Export invoices"])
    report = await ready(slack)
    try:
        await eve.click("Write hypothesis", user=EVE, message=report)
    finally:
        await eve.aclose()
    assert slack.emulator.open_view(EVE) is None, "the other workspace's team has no such item"
    assert ELSEWHERE in slack.emulator.ephemerals(CHANNEL, EVE)[-1].text
    async with slack.db.transaction() as store:
        assert await store.team("T2", CHANNEL) is None, "nothing was made in the other workspace"
    assert await item_state(slack) == ("", 1)


async def test_a_channel_member_without_a_role_gets_the_fix_form(slack):
    await make_team(slack, ["Export invoices"])
    report = await ready(slack, user=DEV1)
    await slack.driver.click("Write hypothesis", user=DEV1, message=report)
    view = slack.emulator.open_view(DEV1)
    assert view is not None and view.callback_id == "item_edit"
    checked = [c for c in slack.emulator.calls_to("conversations.members")]
    assert checked and checked[-1].args["channel"] == CHANNEL, "Slack said they are in it"


async def test_people_outside_the_channel_may_look_but_change_nothing(slack):
    outsider(slack)
    await backlog(slack, "add Export invoices", user=DEV1)  # a team with no roles yet
    settings = await _timebox(slack, "settings", DEV1)
    # Reading is open to them...
    assert "Scrum roles" in shown(await _timebox(slack, "roles", OUTSIDER))
    # ...changing is not, though the channel has no Product Owner to claim yet.
    refused = await _timebox(slack, f"roles po <@{OUTSIDER}|olga>", OUTSIDER)
    assert OUTSIDE in refused.text
    assert OUTSIDE in (await _timebox(slack, "settings sprint 3w", OUTSIDER)).text
    assert OUTSIDE in (await ready(slack, "remind at 09:30", user=OUTSIDER)).text
    assert OUTSIDE in (await ready(slack, "snooze 1 3", user=OUTSIDER)).text
    # Nor a form they could not save: they are told why on the click.
    await slack.driver.click("Edit settings", user=OUTSIDER, message=settings)
    assert slack.emulator.open_view(OUTSIDER) is None
    assert OUTSIDE in last_ephemeral(slack, OUTSIDER).text
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        assert (team.roles, team.timezone, team.sprint_weeks, team.remind_at) == ([], None, 2, None)
        item = await store.item(team.id, 1)
        assert item is not None and item.snoozed_until is None
        assert await store.pending("readiness_reminder") == []
    # A member of the channel (no role yet) no longer becomes its first Product Owner
    # (issue 13, point 5): they are offered the team's setup, and nothing changes until then.
    offer = await _timebox(slack, "settings sprint 3w", DEV1)
    assert "This channel has no Scrum roles yet" in offer.text
    assert "Set up the team" in shown(offer)
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None and team.sprint_weeks == 2
        assert team.roles == []


async def test_a_team_form_from_another_workspace_changes_nothing(slack):
    """A form saves into the team it was opened for, in the workspace the bot acts in there;
    a person from another workspace sharing the channel holds no role in it."""
    eve = other_workspace(slack)
    await make_team(slack, ["Export invoices"])
    roles = await _timebox(slack, "roles", PO)
    try:
        await eve.click("Edit roles", user=EVE, message=roles)
        await eve.submit(slack.emulator.open_view(EVE), {"Product Owner": [EVE]}, user=EVE)
    finally:
        await eve.aclose()
    assert (
        "Only the Product Owner or Scrum Master" in slack.emulator.ephemerals(CHANNEL, EVE)[-1].text
    )
    async with slack.db.transaction() as store:
        first = await store.team("T0TEAM", CHANNEL)
        assert first is not None and [(a.user_id, a.role) for a in first.roles] == [(PO, "po")]


async def _timebox(slack: LocalStack, text: str, user: str):
    before = len(slack.emulator.ephemerals(CHANNEL, user))
    ack = await slack.driver.command("/timebox", text, user=user, channel=CHANNEL)
    assert ack.status == 200
    after = slack.emulator.ephemerals(CHANNEL, user)
    assert len(after) > before, "an answer came back"
    return after[-1]
