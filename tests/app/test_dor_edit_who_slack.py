"""Only the Product Owner or a Scrum Master changes the Definition of Ready: anyone else is offered
no *Edit Definition of Ready* button, and a click replayed from someone else's card is refused
before a form opens that they could only be refused on saving; saving it checks again."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_ready_slack import make_team, ready
from tests.conftest import CHANNEL, DEV1, PO, SM, roles

REFUSED = "Only the Product Owner or Scrum Master can change the Definition of Ready"


async def test_a_developer_is_offered_no_edit_and_refused_on_a_replayed_click(slack):
    await make_team(slack, ["Export invoices"])
    await roles(slack)  # Sam is its Scrum Master
    card = await ready(slack, "dor", user=DEV1)
    assert "Edit Definition of Ready" not in str(card.blocks), "no button to be refused on"

    mine = await ready(slack, "dor", user=SM)
    await slack.driver.click("Edit Definition of Ready", user=DEV1, message=mine)
    assert slack.emulator.open_view(DEV1) is None, "no form for someone who cannot save it"
    assert REFUSED in shown(last_ephemeral(slack, DEV1))

    await slack.driver.click("Edit Definition of Ready", user=SM, message=mine)
    assert slack.emulator.open_view(SM) is not None, "the Scrum Master's form opens"


async def test_saving_the_form_checks_the_role_again(slack):
    await make_team(slack, ["Export invoices"])
    await roles(slack)  # Sam is its Scrum Master
    mine = await ready(slack, "dor", user=SM)
    await slack.driver.click("Edit Definition of Ready", user=SM, message=mine)
    view = slack.emulator.open_view(SM)
    assert view is not None
    sm_now = f"roles sm <@{PO}|paula>"
    ack = await slack.driver.command("/timebox", sm_now, user=PO, channel=CHANNEL)
    assert ack.status == 200  # Sam is a Scrum Master no more while the form is open
    await slack.driver.submit(view, {"Team checklist": "UX has reviewed it"}, user=SM)
    assert REFUSED in shown(last_ephemeral(slack, SM))
    assert "UX has reviewed it" not in shown(await ready(slack, "dor"))
