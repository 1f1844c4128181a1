"""A Jira export's "Blocks" links are part of its import: an item's history starts with
"imported", never with a person's edit or a change of readiness the import itself made; and a
link that could not be made (a cycle in the file, an issue the file does not hold, one whose row
did not come in) is named in the report, one line each, with why."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, name_po, shown
from tests.app.test_dependencies_slack import dependencies
from tests.app.test_import_real_files import share

HEADER = [
    "Summary",
    "Issue key",
    "Description",
    "Acceptance Criteria",
    "Story Points",
    "Inward issue link (Blocks)",
    "Outward issue link (Blocks)",
]


def export(*rows: list[str]) -> bytes:
    """The rows under HEADER, as a Jira export's bytes."""
    return "".join(",".join(row) + "\n" for row in (HEADER, *rows)).encode()


READY = ["We expect fewer tickets", "works", "3"]
FILE = export(
    ["Pay by card", "X-1", *READY, "X-2", "X-2"],  # block each other
    ["Receipt email", "X-2", *READY, "X-1", "X-1"],
    ["Faster search", "X-3", *READY, "X-99", ""],  # X-99 is not in the file
    ["Dark mode", "X-4", *READY, "X-1", "X-98"],
)


def history(said: str) -> str:
    """The history lines of an item's message."""
    return said[said.rindex('"context"') - 400 :]


async def test_the_import_sets_up_links_without_logging_them_as_someones_edit(slack):
    await name_po(slack)
    answer = await share(slack, "Jira.csv", FILE)
    assert answer is not None and "Imported 4 items (#1–#4)" in shown(answer)
    assert await dependencies(slack, 4) == [{"text": "#1 X-1", "item": 1, "resolved": False}]
    for number in (1, 2, 3, 4):
        said = shown(await backlog(slack, f"show {number}"))
        assert "> imported ·" in said, said
        assert "edited" not in said and "no longer ready" not in said, said
        assert "became ready" not in said, said


async def test_the_report_names_each_link_it_could_not_make_and_why(slack):
    await name_po(slack)
    answer = await share(slack, "Jira.csv", FILE)
    assert answer is not None
    said = shown(answer)
    assert "3 links between issues could not be made" in said, said
    assert "#2 (X-2) is blocked by X-1: X-1 waits for X-2 already" in said, said
    assert "#3 (X-3) is blocked by X-99: X-99 is not in the file; kept as text" in said, said
    assert "#4 (X-4) blocks X-98: X-98 is not in the file; left out" in said, said
    assert "Refused" not in said, said


async def test_a_link_to_an_issue_whose_row_did_not_come_in_says_so(slack):
    await name_po(slack)
    await backlog(slack, "add Receipt email")  # X-2's title is taken: its row is refused
    answer = await share(slack, "Jira.csv", FILE)
    assert answer is not None
    said = shown(answer)
    assert "row 3: already on the backlog as #1" in said, said
    assert "#2 (X-1) is blocked by X-2: its row 3 did not come in; kept as text" in said, said


async def test_the_links_not_made_are_named_up_to_ten(slack):
    await name_po(slack)
    rows = [[f"Item {n}", f"Y-{n}", *READY, f"Z-{n}", ""] for n in range(1, 13)]
    answer = await share(slack, "Jira.csv", export(*rows))
    assert answer is not None
    said = shown(answer)
    assert "12 links between issues could not be made" in said, said
    assert "#10 (Y-10) is blocked by Z-10: Z-10 is not in the file" in said, said
    assert "Z-11" not in said and "• …and 2 more" in said, said
