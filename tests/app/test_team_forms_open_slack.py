"""A team's forms open only for who may save them (QA): the setup, roles, settings and agenda
forms refuse on the click, in the words their save would use, someone outside the team
(first) or without the role, rather than opening a form that reads the team's settings and
loses all that was typed in it on Save."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_meeting_teams_slack import moved
from tests.app.test_refine_slack import refine
from tests.app.test_team_slack import OTHER, OUTSIDE, OUTSIDER, _timebox, outsider
from tests.conftest import CHANNEL, DEV1, PO, SM, roles

ROLES_REFUSED = "Only the Product Owner or Scrum Master can change roles in this channel."
SETTINGS_REFUSED = "Only the Product Owner or Scrum Master can change team settings"
AGENDA_REFUSED = "Only the Product Owner or Scrum Master can change agendas"
MISTAKES = {"Product Owner": [PO], "Time zone": "Mars"}


def told(slack: LocalStack, user: str) -> str:
    """The last private word to `user`: in a channel, or by direct message."""
    said = [*slack.emulator.ephemerals(None, user), *slack.emulator.dms(user)]
    return shown(said[-1]) if said else ""


async def test_a_developer_is_refused_the_setup_form_of_a_team_set_up(slack):
    await slack.driver.command("/timebox", "setup", user=DEV1, channel=CHANNEL)
    form = slack.emulator.open_view(DEV1)
    assert form is not None, "no roles yet: anyone in the channel may set the team up"
    await slack.driver.submit(form, {"Product Owner": [PO]}, user=DEV1)

    await slack.driver.command("/timebox", "setup", user=DEV1, channel=CHANNEL)
    assert slack.emulator.open_view(DEV1) is None, "no form to fill in for nothing"
    assert ROLES_REFUSED in told(slack, DEV1)
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)
    assert slack.emulator.open_view(PO) is not None, "the PO's to change"


async def test_outsiders_and_developers_are_refused_the_team_forms_on_the_click(slack):
    await roles(slack)
    outsider(slack)
    settings = await _timebox(slack, "settings", PO)
    team_roles = await _timebox(slack, "roles", PO)
    await refine(slack, "agenda", user=PO)
    agenda = last_ephemeral(slack, PO)
    buttons = [
        ("Edit settings", settings, SETTINGS_REFUSED),
        ("Edit roles", team_roles, ROLES_REFUSED),
        ("Team setup", team_roles, ROLES_REFUSED),
        ("Edit lengths and purposes", agenda, AGENDA_REFUSED),
        ("Replace with YAML", agenda, AGENDA_REFUSED),
    ]
    for label, card, refusal in buttons:
        for user, said in ((OUTSIDER, OUTSIDE), (DEV1, refusal)):
            await slack.driver.click(label, user=user, message=card)
            assert slack.emulator.open_view(user) is None, (label, user)
            assert said in told(slack, user), (label, user, told(slack, user))
        await slack.driver.click(label, user=SM, message=card)
        opened = slack.emulator.open_view(SM)
        assert opened is not None, f"{label}: the Scrum Master's to change"
        slack.emulator.close_view(opened.id, clear=True)


async def test_a_setup_form_from_someone_who_may_not_save_it_is_refused_before_its_mistakes(
    slack,
):
    """A form opened while they could (before the team had a PO, or for another channel):
    who may not save it is told so, not asked to mend its fields first."""
    outsider(slack)
    await slack.driver.command("/timebox", "setup", user=DEV1, channel=CHANNEL)
    await slack.driver.command("/timebox", "setup", user=OUTSIDER, channel=OTHER)
    forms = {DEV1: slack.emulator.open_view(DEV1), OUTSIDER: slack.emulator.open_view(OUTSIDER)}
    moved(forms[OUTSIDER], channel=CHANNEL)  # as if for our channel
    await roles(slack)
    for user, said in ((OUTSIDER, OUTSIDE), (DEV1, ROLES_REFUSED)):
        ack = await slack.driver.submit(forms[user], MISTAKES, user=user)
        assert ack.json is None or "errors" not in ack.json, (user, ack.json)
        assert said in told(slack, user), (user, told(slack, user))
    # Who may save it still sees the mistakes under their fields.
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    ack = await slack.driver.submit(slack.emulator.open_view(SM), MISTAKES, user=SM)
    assert ack.json is not None and set(ack.json["errors"]) == {"timezone"}, ack.json
