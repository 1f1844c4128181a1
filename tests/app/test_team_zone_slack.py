"""The team's time zone is its Product Owner's (or the one set), not the zone of whoever happened
to act first (QA: a developer in Tokyo opened the setup form first, it offered his zone, and a
deadline the PO typed in Madrid then meant 17:00 Tokyo)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.emulator.stack import LocalStack
from storage.models import PokerPoll
from tests.app.test_backlog_slack import add, backlog, shown
from tests.app.test_team_setup_slack import team_rows
from tests.conftest import CHANNEL, DEV1, PO, SM


async def first_comer_sets_up(slack: LocalStack, values: dict) -> dict:
    """DEV1 (Asia/Kolkata) is the first to need a role: the setup form, saved with `values`;
    the form as it opened."""
    await add(slack, "A", "B")
    offer = await backlog(slack, "move 2 top", user=DEV1)
    await slack.driver.click("Set up the team", user=DEV1, message=offer)
    form = slack.emulator.open_view(DEV1)
    opened = json.loads(json.dumps(form.view))
    await slack.driver.submit(form, values, user=DEV1)
    assert slack.emulator.open_view(DEV1) is None, "saved"
    return opened


async def setup(slack: LocalStack) -> None:
    """The PO opens `/timebox setup`."""
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)


def zone_field(view: dict) -> dict:
    [block] = [b for b in view["blocks"] if b.get("block_id") == "timezone"]
    return block


async def test_the_first_comers_zone_is_named_not_taken(slack):
    opened = await first_comer_sets_up(slack, {"Product Owner": [PO], "Scrum Masters": [SM]})
    field = zone_field(opened)
    assert "initial_value" not in field["element"], "not the first comer's zone"
    assert field["optional"] is True
    hint = field["hint"]["text"]
    assert "Empty: the Product Owner's" in hint and "yours is Asia/Kolkata" in hint, hint
    team, _ = await team_rows(slack)
    assert team.timezone == "Europe/Berlin", "the PO's, from their Slack profile"
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    [told] = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]
    assert "*Time zone:* Europe/Berlin" in shown(told)

    # A deadline the PO types is read in the team's zone: hers.
    await slack.driver.command("/poker", "async 1 until fri 17:00", user=PO, channel=CHANNEL)
    async with slack.db.transaction() as store:
        poll = await store.session.scalar(select(PokerPoll))
        assert poll is not None
        assert poll.deadline == datetime(2026, 3, 6, 16, 0, tzinfo=UTC), "17:00 in Berlin"


async def test_a_zone_typed_in_the_form_is_kept_and_cleared_it_is_the_pos_again(slack):
    await first_comer_sets_up(slack, {"Product Owner": [PO], "Time zone": "Asia/Tokyo"})
    team, _ = await team_rows(slack)
    assert team.timezone == "Asia/Tokyo", "what was typed"
    await setup(slack)
    again = slack.emulator.open_view(PO)
    assert zone_field(again.view)["element"]["initial_value"] == "Asia/Tokyo", "the team's own"
    await slack.driver.submit(again, {"Time zone": ""}, user=PO)
    team, _ = await team_rows(slack)
    assert team.timezone == "Europe/Berlin", "emptied: the PO's"
    await setup(slack)
    await slack.driver.submit(slack.emulator.open_view(PO), {"Time zone": "Mars/Olympus"}, user=PO)
    refused = slack.emulator.open_view(PO)
    assert refused is not None and "timezone" in json.dumps(refused.errors), "a typo is refused"
