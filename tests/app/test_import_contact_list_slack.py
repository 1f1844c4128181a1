"""A contact list shared in the team's channel is someone's spreadsheet, not a backlog: the bot
keeps quiet and adds nothing; the same names pasted into `/backlog import`, which asks for an
import, still come in as titles."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, last_ephemeral
from tests.app.test_import_real_files import items, share
from tests.conftest import PO

CONTACTS = "Name,Phone\nAna Ruiz,+34 600 000 001\nBen Okafor,+34 600 000 002\n"


async def test_a_shared_contact_list_is_left_alone(slack):
    assert await share(slack, "contacts.csv", CONTACTS.encode()) is None
    assert await items(slack) == []
    named = "Name,Story Points\nExport invoices,5\n"
    answer = await share(slack, "backlog.csv", named.encode())
    assert answer is not None and "Imported 1 item (#1)" in answer.text


async def test_a_name_column_pasted_into_the_import_form_is_still_titles(slack):
    await backlog(slack, "import")
    await slack.driver.submit(slack.emulator.open_view(PO), {"CSV": CONTACTS}, user=PO)
    assert "Imported 2 items (#1–#2)" in last_ephemeral(slack).text
    assert [i.title for i in await items(slack)] == ["Ana Ruiz", "Ben Okafor"]
