"""A Jira export shared in the channel: its epics and sub-tasks are skipped and counted in one
line of the summary (not refused row by row), and an "is blocked by" link between two issues
of the file is a dependency on the backlog item the other issue became, not free text."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, name_po, shown
from tests.app.test_dependencies_slack import dependencies, row
from tests.app.test_import_real_files import items, share
from tests.conftest import DEV1
from tests.domain.test_backlog_csv_jira import JIRA


async def test_a_jira_export_skips_epics_and_sub_tasks_and_links_what_blocks_what(slack):
    await name_po(slack)
    answer = await share(slack, "Jira.csv", JIRA.encode())
    assert answer is not None
    said = shown(answer)
    assert "Imported 3 items (#1–#3)" in said, said
    assert "Skipped 3 rows that are not backlog items: 1 Epic, 2 Sub-tasks" in said, said
    assert "Refused" not in said and "not one of" not in said, said
    assert [(i.title, i.epic) for i in await items(slack)] == [
        ("Pay by card", "Checkout"),
        ("Receipt email", "Checkout"),
        ("Faster search", None),
    ]

    assert await dependencies(slack, 2) == [
        {"text": "#1 DEMO-2", "item": 1, "resolved": False},
        {"text": "DEMO-9", "resolved": False},
    ]
    assert "blocked by #1" in await row(slack, 2)
    assert "#1 DEMO-2 (open: blocked until #1 is done)" in shown(await backlog(slack, "show 2"))
    await backlog(slack, "done 1", user=DEV1)
    assert "blocked by #1" not in await row(slack, 2), "a link: it follows #1"
