"""Backlog files as teams share them, end to end: a semicolon CSV from a European Excel, a
Windows-1252 file, a workbook saved under a .csv name, a Jira export whose title column was
lost, someone's unrelated spreadsheet, the same file shared twice, and rows pasted straight
from a spreadsheet into the import form."""

from __future__ import annotations

import json
from typing import Any

from bot.emulator.stack import LocalStack
from storage.models import BacklogItem
from tests.app.test_backlog_slack import backlog, last_ephemeral, name_po
from tests.conftest import CHANNEL, DEV1, PO


def bot_replies(slack: LocalStack, name: str) -> list[Any]:
    return [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT" and name in m.text]


async def items(slack: LocalStack) -> list[BacklogItem]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return list(await store.all_items(team.id, include_closed=True))


async def share(slack: LocalStack, name: str, content: bytes, user: str = PO) -> Any:
    """Shares the file; the bot's one answer in the file's thread (None when it kept quiet)."""
    before = len(bot_replies(slack, name))
    _, ack = await slack.driver.share_file(user, CHANNEL, name, content)
    assert ack.status == 200
    replies = bot_replies(slack, name)[before:]
    assert len(replies) <= 1
    if replies:
        assert replies[0].thread_ts is not None, "answered in the file's thread"
    return replies[0] if replies else None


EUROPEAN = (
    "Summary;Story Points;Description\r\n"
    "Café — naïve export;5;Fewer tickets, we expect\r\n"
    "Dark mode;3;\r\n"
)


async def test_a_semicolon_csv_from_a_windows_excel_imports_with_its_accents(slack):
    answer = await share(slack, "backlog.csv", EUROPEAN.encode("cp1252"))
    assert answer is not None and "Imported 2 items (#1–#2)" in answer.text
    first, second = await items(slack)
    assert (first.title, first.estimate, first.hypothesis) == (
        "Café — naïve export",
        5.0,
        "Fewer tickets, we expect",
    )
    assert (second.title, second.estimate) == ("Dark mode", 3.0)


async def test_excels_unicode_text_imports(slack):
    answer = await share(slack, "unicode.csv", EUROPEAN.replace(";", "\t").encode("utf-16"))
    assert answer is not None and "Imported 2 items" in answer.text
    assert [i.title for i in await items(slack)] == ["Café — naïve export", "Dark mode"]


async def test_a_workbook_named_csv_is_answered_with_how_to_save_it(slack):
    workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml" * 40
    answer = await share(slack, "backlog.csv", workbook)
    assert answer is not None
    assert "backlog.csv was not taken as a backlog: it is not a text file" in answer.text
    assert "CSV UTF-8" in answer.text
    assert await items(slack) == []


async def test_a_backlog_without_its_title_column_is_answered_and_a_spreadsheet_left_alone(
    slack,
):
    jira = b"Issue key,Custom field (Story Points),Issue Type\nPRJ-1,3,Story\n"
    answer = await share(slack, "jira.csv", jira)
    assert answer is not None and "jira.csv was not taken as a backlog" in answer.text
    assert "no `Summary` or `Title` column" in answer.text
    assert "Custom field (Story Points)" in answer.text
    expenses = b"Date;Amount;Description\n2026-03-01;12;Lunch\n"
    assert await share(slack, "expenses.csv", expenses) is None, "someone's spreadsheet"
    assert await items(slack) == []


JIRA = "Summary,Story Points\nExport invoices,5\nDark mode,3\n"


async def test_sharing_the_same_file_again_adds_nothing_twice(slack):
    await name_po(slack)
    first = await share(slack, "backlog.csv", JIRA.encode())
    assert "Imported 2 items" in first.text
    await backlog(slack, "done 2", user=DEV1)
    grown = (JIRA + "Search,8\n").encode()
    again = await share(slack, "backlog-v2.csv", grown)
    assert "Imported 2 items (#3–#4)" in again.text, "the done item's title comes in again"
    assert "• row 2: already on the backlog as #1" in again.text
    assert [i.title for i in await items(slack)] == [
        "Export invoices",
        "Dark mode",
        "Dark mode",
        "Search",
    ]
    third = await share(slack, "backlog-v2.csv", grown)
    assert "Nothing imported from backlog-v2.csv" in third.text
    assert "Refused 3 rows" in third.text and "• row 4: already on the backlog as #4" in third.text


async def test_the_import_form_says_where_a_larger_backlog_goes(slack):
    await backlog(slack, "import")
    hint = json.dumps(slack.emulator.open_view(PO).blocks)
    assert "3,000 characters" in hint and "share the .csv file in the channel" in hint


async def test_rows_copied_from_a_spreadsheet_paste_into_the_form(slack):
    await backlog(slack, "import")
    pasted = "Summary\tStory Points\nExport invoices, as PDF\t5\n"
    await slack.driver.submit(slack.emulator.open_view(PO), {"CSV": pasted}, user=PO)
    assert "Imported 1 item (#1)" in last_ephemeral(slack).text
    [item] = await items(slack)
    assert (item.title, item.estimate) == ("Export invoices, as PDF", 5.0)


async def test_a_title_pasted_twice_is_imported_once(slack):
    await backlog(slack, "import")
    pasted = "Summary,Story Points\nExport invoices,5\n  export  INVOICES ,3\n"
    await slack.driver.submit(slack.emulator.open_view(PO), {"CSV": pasted}, user=PO)
    report = last_ephemeral(slack).text
    assert "Imported 1 item (#1)" in report and "• row 3: same title as row 2" in report
    assert [i.estimate for i in await items(slack)] == [5.0]
