"""Mistakes in a pasted CSV, each answered with what to type instead. A quote opened and never
closed: the csv module would read every row after it into one cell, and import one item titled
with the rest of the file; the rows before it are imported, its row is refused with the line
of the quote, and nothing after it becomes an item. A header line alone: not "Nothing
imported", but that the rows are missing."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, last_ephemeral
from tests.conftest import PO

PASTED = 'Summary,Story Points\nExport invoices,3\n"Dark mode,5\nSearch,8\nAudit log,2\n'


async def paste(slack, text: str) -> str:
    """The import form, submitted with `text`; the private answer."""
    await backlog(slack, "import")
    await slack.driver.submit(slack.emulator.open_view(PO), {"CSV": text}, user=PO)
    return last_ephemeral(slack).text


async def test_an_unclosed_quote_is_refused_with_its_line_and_the_rows_before_it_imported(slack):
    report = await paste(slack, PASTED)
    assert "Imported 1 item (#1)" in report, report
    assert 'a quote (") opened on line 3 is never closed' in report, report
    assert '("")' in report, report
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", "C0TEAM", slack.clock.now())
        items = await store.all_items(team.id, include_closed=True)
    titles = [item.title for item in items]
    assert titles == ["Export invoices"], titles


async def test_a_header_line_alone_is_answered_with_the_rows_it_lacks(slack):
    answer = await paste(slack, "Summary,Story Points\n\n")
    assert "Nothing imported" not in answer, answer
    assert "no rows under it" in answer and "`Export invoices,3`" in answer, answer
