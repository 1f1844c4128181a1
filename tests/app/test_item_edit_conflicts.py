"""The item form end to end when someone else saves the item while it is open, and when the
backlog refuses what it says: a submission changes only the fields its submitter changed
(Slack sends them all), a field both changed takes the later submit and says so, and a
refused dependency shows under its field with the form kept open."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from bot.emulator.server import View
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import add, backlog, last_ephemeral, name_po
from tests.app.test_priority_slack import edit, items, timebox
from tests.app.test_ready_slack import ready
from tests.conftest import CHANNEL, DEV1, PO


async def open_form(slack: LocalStack, number: int, user: str) -> View:
    """`/backlog edit n` by `user`; the form, left open."""
    await backlog(slack, f"edit {number}", user=user)
    view = slack.emulator.open_view(user)
    assert view is not None and view.callback_id == "item_edit"
    return view


async def history(slack: LocalStack, number: int) -> list[tuple[str, str, dict[str, Any]]]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        item = await store.item(team.id, number)
        assert item is not None
        return [(e.actor, e.action, e.changes) for e in await store.history(item)]


async def test_a_stale_form_saves_only_what_its_submitter_changed(slack):
    await add(slack, "Export invoices")
    await edit(slack, 1, {"Estimate (story points)": "3", "Labels": "finance"})
    paula = await open_form(slack, 1, PO)  # the PO's form, left open
    await edit(slack, 1, {"Estimate (story points)": "5", "Labels": "finance, pdf"}, user=DEV1)
    assert "changed estimate, labels." in last_ephemeral(slack, DEV1).text

    await slack.driver.submit(paula, {"Title": "Export invoices as PDF"}, user=PO)
    saved = last_ephemeral(slack).text
    assert "Saved *#1* Export invoices as PDF: changed title." in saved
    assert "someone else" not in saved, "she replaced nothing of theirs"
    item = (await items(slack))[1]
    assert (item.title, item.estimate, item.labels) == (
        "Export invoices as PDF",
        5.0,
        ["finance", "pdf"],
    )
    latest, *_ = await history(slack, 1)
    assert latest == (PO, "edited", {"title": ["Export invoices", "Export invoices as PDF"]})


async def test_a_field_both_changed_takes_the_later_submit_which_says_whose_it_replaced(slack):
    await add(slack, "Export invoices")
    await edit(slack, 1, {"Estimate (story points)": "3"})
    paula = await open_form(slack, 1, PO)
    await edit(slack, 1, {"Estimate (story points)": "5", "Owner": DEV1}, user=DEV1)

    values = {"Estimate (story points)": "8", "Owner": PO, "Epic": "Billing"}
    await slack.driver.submit(paula, values, user=PO)
    saved = last_ephemeral(slack).text
    assert "changed estimate, owner, epic." in saved
    assert (
        "While your form was open, someone else changed the estimate (to 5 pts) and the owner "
        f"(to <@{DEV1}>); your changes replaced theirs." in saved
    )
    item = (await items(slack))[1]
    assert (item.estimate, item.owner, item.epic) == (8.0, PO, "Billing")
    # Both changes are in the history, each with the value it replaced.
    ours, theirs, *_ = await history(slack, 1)
    assert ours[2]["estimate"] == [5.0, 8.0] and theirs[2]["estimate"] == [3.0, 5.0]


async def test_the_same_change_made_twice_is_no_conflict(slack):
    await add(slack, "Export invoices")
    paula = await open_form(slack, 1, PO)
    await edit(slack, 1, {"Estimate (story points)": "5"}, user=DEV1)
    await slack.driver.submit(paula, {"Estimate (story points)": "5"}, user=PO)
    assert "Nothing changed on *#1*" in last_ephemeral(slack).text
    assert "someone else" not in last_ephemeral(slack).text


async def test_a_developers_stale_form_keeps_the_moscow_the_po_set_meanwhile(slack):
    """The Developer did not touch MoSCoW: their form does not put back the one it showed,
    so they are not refused as if they had tried to set a priority."""
    await add(slack, "Export invoices")
    await name_po(slack)
    diana = await open_form(slack, 1, DEV1)
    await edit(slack, 1, {"MoSCoW": "Must have"})
    await slack.driver.submit(diana, {"Epic": "Billing"}, user=DEV1)
    assert "Saved *#1* Export invoices: changed epic." in last_ephemeral(slack, DEV1).text
    item = (await items(slack))[1]
    assert (item.priority, item.epic) == ("Must have", "Billing")


async def test_scoring_inputs_and_the_checklist_keep_what_others_set_meanwhile(slack):
    await add(slack, "Export invoices")
    await name_po(slack)
    await timebox(slack, "settings priority wsjf")
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    checklist = {"Team checklist": "Design reviewed"}
    await slack.driver.submit(slack.emulator.open_view(PO), checklist, user=PO)
    diana = await open_form(slack, 1, DEV1)
    shown = json.loads(diana.view["private_metadata"])["shown"]
    assert {"scores.value", "scores.time", "scores.risk", "checklist"} <= set(shown)
    assert len(diana.view["private_metadata"]) < 1000, "well within Slack's 3,000 characters"
    await edit(slack, 1, {"Business value": "8", "Team checklist": ["Design reviewed"]})
    await slack.driver.submit(diana, {"Time criticality": "3"}, user=DEV1)
    assert "Saved *#1* Export invoices: changed scores." in last_ephemeral(slack, DEV1).text
    item = (await items(slack))[1]
    assert item.scores == {"value": 8, "time": 3}
    assert list(item.checklist.values()) == [True], "the PO's tick stays"


async def test_a_dependency_cycle_is_refused_under_its_field_and_the_form_stays_open(slack):
    await add(slack, "API contract", "Export invoices")
    await edit(slack, 1, {"Dependencies": "#2 export first"})
    form = await open_form(slack, 2, PO)
    typed = {"Epic": "Billing", "Dependencies": "#1 API contract\nlegal sign-off"}
    ack = await slack.driver.submit(form, typed, user=PO)
    assert ack.json["response_action"] == "errors"
    assert list(ack.json["errors"]) == ["dependencies"]
    assert ack.json["errors"]["dependencies"].startswith(
        "#2 cannot depend on #1: #1 already waits for #2 (#2 → #1 → #2)"
    )
    assert slack.emulator.open_view(PO) is form, "the form stays open with what was typed"
    assert "cannot depend" not in last_ephemeral(slack).text, "no message beside the form"
    item = (await items(slack))[2]
    assert (item.epic, item.dependencies) == (None, []), "nothing was saved"

    ack = await slack.driver.submit(form, {"Dependencies": "#2 itself"}, user=PO)
    assert ack.json["errors"] == {"dependencies": "#2 cannot depend on itself. Take #2 out of it."}

    # Taken out, the same form saves, with the rest of what was typed.
    await slack.driver.submit(form, {"Dependencies": "legal sign-off"}, user=PO)
    assert slack.emulator.open_view(PO) is None
    assert "changed dependencies, epic." in last_ephemeral(slack).text
    item = (await items(slack))[2]
    assert item.epic == "Billing"
    assert item.dependencies == [{"text": "legal sign-off", "resolved": False}]


async def test_a_copy_of_a_saved_form_is_acked_and_saves_nothing_again(slack):
    """Saved before its ack, a submission's copy (a proxy's, with no retry header) finds the
    request acted already: Slack still gets its 200, and the item changes once."""
    await add(slack, "Export invoices")
    first = await edit(slack, 1, {"Estimate (story points)": "5"})
    body = urlencode({"payload": json.dumps(first.sent)})
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack.driver.sign(body, timestamp),
    }
    copy = await slack.driver.post_raw(body, headers)
    assert copy.status == 200
    assert [action for _, action, _ in await history(slack, 1)] == ["edited", "created"]
