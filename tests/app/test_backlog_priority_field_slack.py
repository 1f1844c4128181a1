"""The MoSCoW priority is the Product Owner's to set: a Developer's item form shows it as a line,
not an input, so nothing they type is lost to a refusal. A form opened by the Product Owner who
is no longer one when saving is refused under the MoSCoW field, the form kept open with all
that was typed; saving without the priority then saves the rest."""

from __future__ import annotations

from tests.app.test_backlog_slack import add, backlog, name_po
from tests.app.test_priority_slack import edit, items
from tests.conftest import CHANNEL, DEV1, DEV2, PO

FILLED = {
    "Value hypothesis": "By exporting invoices we expect fewer support tickets",
    "Acceptance criteria": "A PDF per invoice\nSent by email",
    "Estimate (story points)": "5",
}


def block_ids(view) -> list[str]:
    return [b.get("block_id", "") for b in view.view["blocks"]]


async def test_a_developers_form_shows_the_priority_and_does_not_ask_for_it(slack):
    await add(slack, "Export invoices")
    await name_po(slack)
    await edit(slack, 1, {"MoSCoW": "Must have"})
    await backlog(slack, "edit 1", user=PO)
    assert "moscow" in block_ids(slack.emulator.open_view(PO)), "the PO is asked"

    await backlog(slack, "edit 1", user=DEV1)
    form = slack.emulator.open_view(DEV1)
    assert "moscow" not in block_ids(form), "a Developer is not asked"
    lines = [
        e["text"] for b in form.view["blocks"] if b["type"] == "context" for e in b["elements"]
    ]
    assert "*MoSCoW:* Must have · set by the Product Owner" in lines, lines
    await slack.driver.submit(form, FILLED, user=DEV1)
    assert slack.emulator.open_view(DEV1) is None
    item = (await items(slack))[1]
    assert (item.estimate, item.priority) == (5.0, "Must have"), "all saved, priority kept"
    assert item.acceptance_criteria == ["A PDF per invoice", "Sent by email"]


async def test_a_priority_set_after_losing_the_role_is_refused_under_its_field(slack):
    await add(slack, "Export invoices")
    await name_po(slack)
    await backlog(slack, "edit 1", user=PO)
    form = slack.emulator.open_view(PO)
    await slack.driver.command("/timebox", f"roles po <@{DEV2}>", user=PO, channel=CHANNEL)
    before = len(slack.emulator.ephemerals(CHANNEL, PO))
    ack = await slack.driver.submit(form, {**FILLED, "MoSCoW": "Must have"}, user=PO)
    assert ack.json is not None and ack.json["response_action"] == "errors", ack.json
    assert list(ack.json["errors"]) == ["moscow"]
    assert "Only the Product Owner can set priorities" in ack.json["errors"]["moscow"]
    assert slack.emulator.open_view(PO) is form, "the form stays open with what was typed"
    assert len(slack.emulator.ephemerals(CHANNEL, PO)) == before, "no refusal after a close"
    assert (await items(slack))[1].estimate is None, "nothing saved yet"
    await slack.driver.submit(form, {"MoSCoW": None}, user=PO)
    assert slack.emulator.open_view(PO) is None
    item = (await items(slack))[1]
    assert (item.estimate, item.priority) == (5.0, None)
    assert item.hypothesis == FILLED["Value hypothesis"]
