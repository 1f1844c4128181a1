"""A done item's view through the real app: its readiness is moot, so neither the item nor its
edit form, nor what saving the form says, warns that it is not ready (nor says it is ready
for sprint planning)."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import add, backlog, last_ephemeral, name_po, shown
from tests.conftest import CHANNEL, DEV1


def readiness_said(text: str) -> bool:
    return "Not ready" in text or "Ready* for sprint planning" in text


async def test_a_done_item_shows_no_readiness_in_its_view_its_form_or_once_saved(slack: LocalStack):
    await add(slack, "Export invoices")
    await name_po(slack)
    before = shown(await backlog(slack, "show 1", user=DEV1))
    assert ":warning: *Not ready:*" in before, "an open item without criteria warns"
    await slack.driver.click("Mark done", user=DEV1, message=last_ephemeral(slack, DEV1))
    done = shown(last_ephemeral(slack, DEV1))
    assert "*Status:* Done" in done and not readiness_said(done), done
    shown_again = await backlog(slack, "show 1", user=DEV1)
    assert not readiness_said(shown(shown_again)), shown(shown_again)
    await slack.driver.click("Edit", user=DEV1, message=shown_again)
    form = slack.emulator.open_view(DEV1)
    assert form is not None and not readiness_said(str(form.view["blocks"]))
    await slack.driver.submit(form, {"Title": "Export invoices as PDF"}, user=DEV1)
    saved = shown(last_ephemeral(slack, DEV1))
    assert "Saved *#1* Export invoices as PDF: changed title." in saved, saved
    assert "Not ready yet" not in saved and "ready for sprint planning" not in saved


async def test_ready_on_a_done_item_says_its_readiness_no_longer_matters(slack: LocalStack):
    await add(slack, "Export invoices")
    await name_po(slack)
    await backlog(slack, "done 1", user=DEV1)
    await slack.driver.command("/ready", "1", user=DEV1, channel=CHANNEL)
    verdict = last_ephemeral(slack, DEV1)
    assert ":white_check_mark: *Done*: its readiness no longer matters" in shown(verdict)
    assert not readiness_said(shown(verdict)) and "item_fix" not in shown(verdict), "no fix"
