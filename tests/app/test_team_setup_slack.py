"""Setting a team up, end to end (issue 13, point 5).

The first comer no longer silently becomes the Product Owner: the first time a channel uses
Timebox for something that needs a role, whoever acts is offered the setup form (Product Owner,
Scrum Masters, Developers, time zone, sprint length and start) and the channel is told who set
it up; until a Product Owner is named, what only a PO may do answers with a button to that
form. A Slack user group (`@design-team`) can hold a role: its members hold it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.domain import ceremonies
from bot.domain.teams import Roles
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import add, backlog, last_ephemeral, shown
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

DESIGN, MASTERS = "S0DESIGN", "S0MASTERS"
NO_ROLES = "This channel has no Scrum roles yet, so nobody can order the product backlog here."


async def timebox(slack: LocalStack, text: str, user: str):
    ack = await slack.driver.command("/timebox", text, user=user, channel=CHANNEL)
    assert ack.status == 200
    return last_ephemeral(slack, user)


async def team_rows(slack: LocalStack):
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        return team, sorted((a.user_id, a.role) for a in team.roles)


def order(listing) -> list[str]:
    return [b["block_id"] for b in listing.blocks if b.get("block_id", "").startswith("item-")]


async def test_the_first_comer_is_offered_the_setup_and_the_channel_told_who_set_it_up(slack):
    slack.emulator.add_usergroup(DESIGN, "design-team", [DEV1, DEV2], name="Design team")
    await add(slack, "A", "B")
    # A developer tries what only a PO may do: they do not become the PO.
    offer = await backlog(slack, "move 2 top", user=DEV1)
    assert NO_ROLES in offer.text and "Set up the team" in shown(offer)
    assert order(await backlog(slack, user=DEV1)) == ["item-1", "item-2"], "nothing moved"
    team, roles = await team_rows(slack)
    assert roles == [] and team.timezone is None

    # The button opens the setup form, naming their own time zone (the PO's is taken).
    await slack.driver.click("Set up the team", user=DEV1, message=offer)
    form = slack.emulator.open_view(DEV1)
    assert form is not None and form.callback_id == "team_setup"
    assert "yours is Asia/Kolkata" in json.dumps(form.view), "the zone of their Slack profile"
    # A Product Owner is needed: one person, whom Slack asks for.
    [po] = [b for b in form.blocks if b.get("block_id") == "po"]
    assert po["element"]["type"] == "users_select" and not po.get("optional")
    await slack.driver.submit(
        form,
        {
            "Product Owner": [PO],
            "Scrum Masters": [SM],
            "Developers: user groups": ["@design-team"],
            "Time zone": "Europe/Berlin",
            "Sprint length": "3 weeks",
            "Sprints start on": date(2026, 3, 9),
        },
        user=DEV1,
    )
    assert slack.emulator.open_view(DEV1) is None, "saved"
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    [told] = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]
    text = shown(told)
    assert f"<@{DEV1}> set up Timebox for this channel." in text
    assert f"*Product Owner:* <@{PO}>" in text and f"*Scrum Masters:* <@{SM}>" in text
    assert "*Developers:* @design-team" in text, "named, not pinged, in the channel"
    assert "3 weeks, starting Monday 09 March 2026" in text and "Europe/Berlin" in text
    team, roles = await team_rows(slack)
    assert roles == [(DESIGN, "dev"), (PO, "po"), (SM, "sm")]
    assert (team.timezone, team.sprint_weeks, team.sprint_start) == (
        "Europe/Berlin",
        3,
        date(2026, 3, 9),
    )
    assert Roles.of(team).dev == (DEV1, DEV2), "the group's members are the Developers"

    # Now roles decide: the developer who set it up is not the PO.
    refused = await backlog(slack, "move 2 top", user=DEV1)
    assert "Only the Product Owner can order the product backlog" in refused.text
    assert f"Ask <@{PO}>." in refused.text
    await backlog(slack, "move 2 top", user=PO)
    assert order(await backlog(slack)) == ["item-2", "item-1"]
    # Setting it up again is the PO's or a Scrum Master's (a Developer is told so before
    # typing anything), and tells the channel nothing new.
    await slack.driver.command("/timebox", "setup", user=DEV1, channel=CHANNEL)
    assert slack.emulator.open_view(DEV1) is None, "no form they could not save"
    assert "Only the Product Owner or Scrum Master can change roles" in (
        last_ephemeral(slack, DEV1).text
    )
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    await slack.driver.submit(slack.emulator.open_view(SM), {"Sprint length": "2 weeks"}, user=SM)
    team, roles = await team_rows(slack)
    assert team.sprint_weeks == 2 and roles == [(DESIGN, "dev"), (PO, "po"), (SM, "sm")]
    assert len([m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]) == 1


async def test_until_a_po_is_named_po_actions_answer_with_the_setup_form(slack):
    await add(slack, "A", "B")
    await timebox(slack, f"roles sm <@{SM}|sam>", SM)  # a Scrum Master, but no PO yet
    offer = await backlog(slack, "move 2 top", user=SM)
    assert "This channel has no Product Owner yet, so nobody can order the product backlog" in (
        offer.text
    )
    await slack.driver.click("Set up the team", user=SM, message=offer)
    form = slack.emulator.open_view(SM)
    assert form is not None and form.callback_id == "team_setup"
    await slack.driver.submit(form, {"Product Owner": [PO]}, user=SM)
    team, roles = await team_rows(slack)
    assert roles == [(PO, "po"), (SM, "sm")]
    assert team.timezone == "Europe/Berlin", "the PO's, not the zone of who set it up"
    await backlog(slack, "move 2 top", user=PO)
    assert order(await backlog(slack)) == ["item-2", "item-1"]


async def test_a_user_group_holds_a_role_and_its_members_are_read_when_needed(slack):
    slack.emulator.add_usergroup(MASTERS, "scrum-masters", [SM, DEV3])
    await timebox(slack, f"roles po <@{PO}|paula>", PO)
    roles = await timebox(slack, f"roles sm <!subteam^{MASTERS}|@scrum-masters>", PO)
    assert f"*Scrum Master:* <!subteam^{MASTERS}>" in shown(roles)
    # A member of the group holds the role, though nobody named them.
    answer = await timebox(slack, "settings sprint 3w", DEV3)
    assert "*Sprint length:* 3 weeks" in shown(answer)
    refused = await timebox(slack, "settings sprint 1w", DEV2)
    assert "Only the Product Owner or Scrum Master" in refused.text
    assert f"<!subteam^{MASTERS}>" in refused.text, "the group is named among who may"
    # Slack's group changes; whoever reads the roles sees its members as they are now.
    slack.emulator.usergroups[MASTERS]["users"].append(DEV2)
    await timebox(slack, "roles", DEV2)
    answer = await timebox(slack, "settings sprint 1w", DEV2)
    assert "*Sprint length:* 1 week" in shown(answer)
    team, _ = await team_rows(slack)
    assert Roles.of(team).sm == (SM, DEV3, DEV2)
    # Naming people for the role by command replaces the group.
    await timebox(slack, f"roles sm <@{SM}|sam>", PO)
    team, roles = await team_rows(slack)
    assert roles == [(PO, "po"), (SM, "sm")]


async def test_showing_settings_gives_a_team_without_a_zone_its_pos_and_replans(slack):
    """`/timebox settings` shows the time zone that applies: a team with a PO and no zone yet
    (named while their profile had none, say) takes its PO's as it is shown, and a ceremony
    scheduled meanwhile (in UTC) is planned again in that zone, as when the zone is set."""
    await timebox(slack, f"roles po <@{PO}|paula>", PO)
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None and team.timezone == "Europe/Berlin", "the new PO's"
        team.timezone = None
    await slack.driver.command("/refine", "schedule wed 14:00 60m", user=PO, channel=CHANNEL)
    async with slack.db.transaction() as store:
        [in_utc] = await store.pending(ceremonies.REMIND)
    settings = shown(await timebox(slack, "settings", DEV1))
    assert "Europe/Berlin" in settings, "the zone that applies, shown"
    team, _ = await team_rows(slack)
    assert team.timezone == "Europe/Berlin", "and kept"
    async with slack.db.transaction() as store:
        [in_berlin] = await store.pending(ceremonies.REMIND)
    assert in_utc.due_at - in_berlin.due_at in (timedelta(hours=1), timedelta(hours=2))
    assert "Europe/Berlin" in shown(await timebox(slack, "settings", DEV1)), "once for all"
