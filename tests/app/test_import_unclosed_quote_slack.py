"""A pasted CSV with a quote opened and never closed: the csv module would read every row
after it into one cell, and import one item titled with the rest of the file. The rows before
it are imported; its row is refused with the line of the quote and what to type instead, and
nothing after it becomes an item."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, last_ephemeral
from tests.conftest import PO

PASTED = 'Summary,Story Points\nExport invoices,3\n"Dark mode,5\nSearch,8\nAudit log,2\n'


async def test_an_unclosed_quote_is_refused_with_its_line_and_the_rows_before_it_imported(slack):
    await backlog(slack, "import")
    view = slack.emulator.open_view(PO)
    await slack.driver.submit(view, {"CSV": PASTED}, user=PO)
    report = last_ephemeral(slack).text
    assert "Imported 1 item (#1)" in report, report
    assert 'a quote (") opened on line 3 is never closed' in report, report
    assert '("")' in report, report
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", "C0TEAM", slack.clock.now())
        items = await store.all_items(team.id, include_closed=True)
    titles = [item.title for item in items]
    assert titles == ["Export invoices"], titles
