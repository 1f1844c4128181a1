"""A Scrum team has one Product Owner, one person (QA): two people, or a user group (a committee
too), are refused as PO with what to type instead, by command and in the forms, whose PO field
takes one person. Scrum Masters and Developers may still be several, or user groups."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_team_setup_slack import DESIGN, timebox
from tests.conftest import CHANNEL, DEV1, PO, SM, roles

ONE_PO = "A Scrum team has one Product Owner: one person, not a committee"


async def named(slack: LocalStack) -> list[tuple[str, str]]:
    """(user or group, role) of the team's roles; none before its first row."""
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        return sorted((a.user_id, a.role) for a in team.roles) if team else []


async def test_two_people_or_a_group_as_product_owner_are_refused(slack):
    slack.emulator.add_usergroup(DESIGN, "design-team", [DEV1, PO], name="Design team")
    for typed in (
        f"po <@{PO}|paula> <@{DEV1}|diana>",
        f"po <!subteam^{DESIGN}|@design-team>",
        f"po <@{PO}|paula> sm <@{SM}|sam> po <@{DEV1}|diana>",
    ):
        said = shown(await timebox(slack, f"roles {typed}", PO))
        assert ONE_PO in said and "`/timebox roles po @name`" in said, said
        assert await named(slack) == [], "nothing named"
    said = shown(await timebox(slack, f"roles po <@{PO}|paula> sm <@{SM}|sam> <@{DEV1}|d>", PO))
    assert ONE_PO not in said
    assert await named(slack) == [(DEV1, "sm"), (PO, "po"), (SM, "sm")]


async def test_the_forms_take_one_person_as_product_owner(slack):
    slack.emulator.add_usergroup(DESIGN, "design-team", [DEV1, PO], name="Design team")
    await roles(slack)
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)
    setup = slack.emulator.open_view(PO)
    labels = {b["block_id"]: b for b in setup.blocks if b["type"] == "input"}
    assert labels["po"]["element"]["type"] == "users_select", "one person"
    assert labels["po"]["element"]["initial_user"] == PO
    assert "po_groups" not in labels, "no user group as PO"
    assert labels["sm"]["element"]["type"] == "multi_users_select"
    assert "sm_groups" in labels and "dev_groups" in labels
    slack.emulator.close_view(setup.id, clear=True)

    card = await timebox(slack, "roles", PO)
    await slack.driver.click("Edit roles", user=PO, message=card)
    form = slack.emulator.open_view(PO)
    fields = {b["block_id"]: b for b in form.blocks if b["type"] == "input"}
    assert fields["po"]["element"]["type"] == "users_select"
    await slack.driver.submit(form, {"Product Owner": DEV1}, user=PO)
    assert await named(slack) == [(DEV1, "po"), (SM, "sm")]
