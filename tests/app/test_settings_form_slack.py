"""Changing the team's settings: the role is checked before anything else (someone without it
costs no Slack call and writes nothing), and the settings form sets every setting
`/timebox settings <name> <value>` sets, checked with the same words."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.domain.commands import usage
from bot.emulator.stack import LocalStack
from handlers.render import unmarked
from storage.models import Team
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_team_slack import OUTSIDE, OUTSIDER, _timebox, outsider
from tests.conftest import CHANNEL, DEV1, PO, SM, roles

NOT_ALLOWED = "Only the Product Owner or Scrum Master can change team settings"


async def the_team(slack: LocalStack) -> Team:
    async with slack.db.transaction() as store:
        found = await store.team("T0TEAM", CHANNEL)
        assert found is not None
        return found


async def test_a_change_by_someone_without_the_role_asks_slack_nothing_and_writes_nothing(slack):
    slack.emulator.users[PO]["tz"] = ""  # Paula's profile names no zone yet...
    await roles(slack)
    assert (await the_team(slack)).timezone is None
    slack.emulator.users[PO]["tz"] = "Europe/Berlin"  # ...then it does
    outsider(slack)
    slack.emulator.reset_calls()
    for user, refusal in ((DEV1, NOT_ALLOWED), (OUTSIDER, OUTSIDE)):
        assert refusal in (await _timebox(slack, "settings sprint 3w", user)).text
    assert slack.emulator.calls_to("users.info") == [], "no profile read for a refusal"
    team = await the_team(slack)
    assert (team.timezone, team.sprint_weeks) == (None, 2), "nothing written"

    # The Scrum Master's change is made against the zone that applies: the PO's, taken first.
    assert "*Sprint length:* 3 weeks" in shown(await _timebox(slack, "settings sprint 3w", SM))
    team = await the_team(slack)
    assert (team.timezone, team.sprint_weeks) == ("Europe/Berlin", 3)


def _command_settings() -> set[str]:
    """The settings `/timebox settings` names in its usage line."""
    line = usage("/timebox", "settings")
    return set(re.findall(r"(?:\[|\| )([a-z]+) ", line))


async def _form(slack: LocalStack, user: str = PO) -> Any:
    card = await _timebox(slack, "settings", user)
    await slack.driver.click("Edit settings", user=user, message=card)
    view = slack.emulator.open_view(user)
    assert view is not None and view.callback_id == "settings_edit"
    return view


async def test_the_form_sets_every_setting_the_command_sets(slack):
    await roles(slack)
    view = await _form(slack)
    inputs = {b["block_id"] for b in view.blocks if b["type"] == "input"}
    assert _command_settings() == {
        "timezone",
        "sprint",
        "days",
        "start",
        "country",
        "stale",
        "refinement",
        "priority",
    }
    assert _command_settings() <= inputs, inputs

    ack = await slack.driver.submit(
        view,
        {
            "Time zone": "America/New_York",
            "Sprint length": "3 weeks",
            "Working days": ["Mon", "Tue", "Wed", "Thu"],
            "Sprints start on": date(2026, 3, 16),
            "Public holidays off": "us",
            "Stale after (days untouched)": "30",
            "Refinement budget (% of capacity)": "12.5",
            "Prioritisation": "WSJF (weighted shortest job first)",
        },
        user=PO,
    )
    assert ack.json is None, ack.json
    card = shown(last_ephemeral(slack, PO))
    for said in (
        "*Time zone:* America/New_York",
        "*Sprint length:* 3 weeks",
        "*Working days:* Mon, Tue, Wed, Thu",
        "*Sprints start on:* Monday 16 March 2026",
        "*Public holidays off:* US",
        "*Stale after:* 30 days untouched",
        "*Refinement budget:* 12.5%",
        "*Prioritisation:* WSJF",
    ):
        assert said in card, (said, card)
    team = await the_team(slack)
    assert (team.holiday_country, team.graveyard_days, team.refinement_share) == ("US", 30, 0.125)
    assert (team.priority_scheme, team.sprint_start) == ("wsjf", date(2026, 3, 16))

    # The form opens on what is set; emptied, the holidays are off, as with `country none`.
    view = await _form(slack)
    await slack.driver.submit(view, {"Public holidays off": ""}, user=PO)
    team = await the_team(slack)
    assert team.holiday_country is None and team.graveyard_days == 30, "only that one changed"


async def test_the_form_answers_a_mistake_as_the_command_does_under_its_field(slack):
    await roles(slack)
    said = shown(await _timebox(slack, "settings country xx", PO))
    view = await _form(slack)
    refused = await slack.driver.submit(
        view, {"Public holidays off": "xx", "Time zone": "Mars/Olympus"}, user=PO
    )
    assert refused.json is not None and refused.json["response_action"] == "errors"
    errors = refused.json["errors"]
    assert set(errors) == {"country", "timezone"}
    assert errors["country"] in unmarked(said), (errors, said)
    assert "`" not in errors["country"], "a field's error is plain text: no markers shown"
    assert "is not a time zone I know" in errors["timezone"]


async def test_only_the_po_or_a_scrum_master_saves_the_form(slack):
    """Nor opens it: a Developer is told on the click (tests/app/test_team_forms_open_slack.py),
    and a form opened while they were a Scrum Master is refused on saving."""
    await roles(slack)
    view = await _form(slack, SM)
    await _timebox(slack, f"roles sm <@{DEV1}|diana>", PO)  # Sam is a Scrum Master no more
    await slack.driver.submit(view, {"Stale after (days untouched)": "45"}, user=SM)
    assert NOT_ALLOWED in last_ephemeral(slack, SM).text
    assert (await the_team(slack)).graveyard_days == 90
