"""Roles belong to the people of the team's channel, and user groups show as their people, end
to end (a QA pass): someone outside the channel is refused a role, by command or form (they
would be waited for in every poll and sent reminders for a channel they cannot see); a user
group's members are shown on the roles card and see their role on their Home tab; the channel's
setup announcement names a group without pinging it; slash commands in a direct message say
that Timebox plans in a channel instead of making a team of the DM.
"""

from __future__ import annotations

import json

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

ZOE = "U0ZOE"  # in the workspace, not in the team's channel
DEVS = "S0DEVS"
DM = "D0DIANA"


def zoe_and_devs(slack: LocalStack) -> None:
    slack.emulator.add_user(ZOE, "zoe", real_name="Zoe Outsider", tz="Pacific/Auckland")
    slack.emulator.add_usergroup(DEVS, "devs", [DEV1, DEV2, DEV3], name="Developers")


async def timebox(slack: LocalStack, text: str, user: str, channel: str = CHANNEL):
    ack = await slack.driver.command("/timebox", text, user=user, channel=channel)
    assert ack.status == 200
    return last_answer(slack, user, channel)


def last_answer(slack: LocalStack, user: str, channel: str):
    answers = [e for e in slack.emulator.ephemerals(channel, user) if not e.deleted]
    assert answers, f"{user} saw no private answer in {channel}"
    return answers[-1]


async def role_rows(slack: LocalStack) -> list[tuple[str, str]]:
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        return sorted((a.user_id, a.role) for a in team.roles) if team else []


async def test_someone_outside_the_channel_is_refused_a_role_by_command(slack):
    zoe_and_devs(slack)
    await timebox(slack, f"roles po <@{PO}|paula>", PO)
    refused = await timebox(slack, f"roles dev <@{ZOE}|zoe> <@{DEV1}|diana>", PO)
    assert f"<@{ZOE}> is not a member of <#{CHANNEL}>" in shown(refused)
    assert "invite" in shown(refused).lower()
    assert await role_rows(slack) == [(PO, "po")], "nobody named: not even Diana"
    await timebox(slack, f"roles dev <@{DEV1}|diana>", PO)
    assert await role_rows(slack) == [(DEV1, "dev"), (PO, "po")]


async def test_someone_outside_the_channel_is_refused_a_role_in_the_setup_form(slack):
    zoe_and_devs(slack)
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)
    form = slack.emulator.open_view(PO)
    assert form is not None
    await slack.driver.submit(form, {"Product Owner": [PO], "Developers": [ZOE, DEV1]}, user=PO)
    assert f"<@{ZOE}> is not a member of <#{CHANNEL}>" in shown(last_ephemeral(slack, PO))
    assert await role_rows(slack) == []
    assert not [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"], "not set up"


async def test_a_user_groups_people_are_shown_and_see_their_role_at_home(slack):
    zoe_and_devs(slack)
    await timebox(slack, f"roles po <@{PO}|paula>", PO)
    named = await timebox(slack, f"roles dev <!subteam^{DEVS}|@devs>", PO)
    assert f"<@{DEV1}>, <@{DEV2}>, <@{DEV3}>" in shown(named), "the group's members"
    card = await timebox(slack, "roles", DEV2)
    assert f"<@{DEV1}>, <@{DEV2}>, <@{DEV3}>" in shown(card)
    tab = await home(slack, DEV2)
    assert "Developer" in tab, "a developer through @devs sees the role on their Home"
    assert f"<#{CHANNEL}>" in tab


async def test_the_setup_announcement_names_a_group_without_pinging_it(slack):
    zoe_and_devs(slack)
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    form = slack.emulator.open_view(SM)
    await slack.driver.submit(
        form, {"Product Owner": [PO], "Developers: user groups": ["@devs"]}, user=SM
    )
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    [told] = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]
    posted = json.dumps([told.text, told.blocks])
    assert "subteam" not in posted, "no ping of the whole group in the channel"
    assert "*Developers:* @devs" in shown(told)


async def test_slash_commands_in_a_direct_message_point_to_a_channel(slack):
    slack.emulator.add_channel(DM, "dm", members=[DEV1, "UBOT"])
    ack = await slack.driver.command("/backlog", "add Secret DM item", user=DEV1, channel=DM)
    assert ack.status == 200
    answer = shown(last_answer(slack, DEV1, DM))
    assert "#1" not in answer and "Timebox plans in a channel" in answer
    assert "/invite @Timebox" in answer
    await slack.driver.command("/timebox", "setup", user=DEV1, channel=DM)
    assert slack.emulator.open_view(DEV1) is None, "no setup form for a DM"
    async with slack.db.transaction() as store:
        assert await store.team("T0TEAM", DM) is None, "no team made of the DM"
    helped = await timebox(slack, "help", DEV1, channel=DM)
    assert "/backlog" in shown(helped), "help works anywhere"
