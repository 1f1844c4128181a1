# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A CSV imported into a channel connected to a tracker reaches the tracker as `/backlog add`
does: each row added is created there by the durable write queue, and linked to the issue it
became. A row whose "Issue key" names an issue of the connected board is not made twice: that
issue is an item already, so the row is refused in the import report, naming it."""

from __future__ import annotations

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, items
from tests.conftest import CHANNEL, PO


def issue_titled(jira: JiraEmulator, title: str) -> str | None:
    return next((i.key for i in jira.issues.values() if i.summary == title), None)


async def imported(slack: LocalStack, csv: str) -> str:
    """The CSV shared in the channel by the PO; the import report in the file's thread."""
    await slack.driver.share_file(PO, CHANNEL, "backlog.csv", csv.encode())
    await drain(slack)
    [report] = [
        m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT" and "backlog.csv" in m.text
    ]
    return shown(report)


async def test_imported_rows_are_created_in_the_tracker_but_a_row_of_a_board_issue(slack, jira):
    _, story, _, _ = seed_board(jira)
    await connected(slack, jira)
    before = len(jira.issues)
    existing = (await item_by_key(slack, story)).number

    report = await imported(
        slack,
        "Summary,Issue key,Story Points\n"
        "Export invoices,,3\n"
        "Dark mode,OTHER-7,\n"
        f"Pay by card in one tap,{story},5\n",
    )

    assert "Imported 2 items" in report, report
    refused = f"row 4: its issue {story} is on the connected Jira board already, as #{existing}"
    assert refused in report, report
    assert len(jira.issues) == before + 2, "each row added is an issue, none made twice"
    for title in ("Export invoices", "Dark mode"):
        key = issue_titled(jira, title)
        assert key is not None, f"{title} created in Jira"
        item = await item_by_key(slack, key)
        assert item.title == title
        assert item.tracker_link.pending == 0 and item.tracker_link.error is None
    assert issue_titled(jira, "Pay by card in one tap") is None
    titles = [i.title for i in await items(slack)]
    assert "Pay by card in one tap" not in titles


async def test_an_import_in_a_channel_without_a_tracker_adds_no_links(slack):
    report = await imported(slack, "Summary,Issue key\nExport invoices,DEMO-2\n")

    assert "Imported 1 item" in report, report
    [item] = await items(slack)
    assert item.title == "Export invoices" and item.tracker_link is None
