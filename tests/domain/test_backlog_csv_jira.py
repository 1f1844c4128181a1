"""A Jira export holds more than backlog items: its epics and sub-tasks are skipped (counted,
not refused row by row), an Epic Link naming an epic by its key comes in as the epic's name,
and its "Blocks" links between issues of the file become links between their items."""

from __future__ import annotations

import csv
import io

from bot.domain.backlog_csv import link_imports, parse_csv

HEADER = [
    "Summary",
    "Issue key",
    "Issue Type",
    "Custom field (Story Points)",
    "Custom field (Epic Link)",
    "Inward issue link (Blocks)",
    "Inward issue link (Blocks)",
    "Outward issue link (Blocks)",
]


def export(*rows: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue()


JIRA = export(
    ["Checkout", "DEMO-1", "Epic", "", "", "", "", ""],
    ["Pay by card", "DEMO-2", "Story", "5", "DEMO-1", "", "", "DEMO-3"],
    ["Receipt email", "DEMO-3", "Task", "3", "DEMO-1", "DEMO-2", "DEMO-9", ""],
    ["Write card tests", "DEMO-4", "Sub-task", "", "", "", "", ""],
    ["Faster search", "DEMO-5", "Improvement", "", "", "", "", ""],
    ["Old checkout", "DEMO-6", "Sub-task", "", "", "", "", ""],
)


def test_epics_and_sub_tasks_are_skipped_and_counted_not_refused():
    parsed = parse_csv(JIRA)
    assert parsed.refused == []
    assert [f.title for _, f in parsed.rows] == ["Pay by card", "Receipt email", "Faster search"]
    assert parsed.skipped == {"Epic": 1, "Sub-task": 2}
    assert [f.type for _, f in parsed.rows] == ["story", "story", "story"]
    epics = [f.epic for _, f in parsed.rows]
    assert epics == ["Checkout", "Checkout", None], "the epic's key reads as its name"


def test_a_blocks_link_between_two_imported_issues_links_their_items():
    parsed = parse_csv(JIRA)
    added = {3: 11, 4: 12, 6: 13}  # spreadsheet row: the item it became
    links = link_imports(parsed, added).dependencies
    assert links == {
        12: [
            {"text": "#11 DEMO-2", "item": 11, "resolved": False},
            {"text": "DEMO-9", "resolved": False},  # not in the file: stays text
        ]
    }, "named on both rows, linked once"
    assert link_imports(parsed, {3: 11, 6: 13}).dependencies == {}, (
        "the blocked one did not come in"
    )
    assert link_imports(parse_csv("Summary\nA\n"), {2: 1}).dependencies == {}, "no keys, no links"


def test_a_cycle_of_blocks_links_keeps_the_closing_one_as_text():
    text = export(
        ["A", "K-1", "Story", "", "", "K-2", "", ""],
        ["B", "K-2", "Story", "", "", "K-1", "", ""],
    )
    links = link_imports(parse_csv(text), {2: 1, 3: 2}).dependencies
    assert links == {
        1: [{"text": "#2 K-2", "item": 2, "resolved": False}],
        2: [{"text": "K-1", "resolved": False}],
    }, "the closing one by its key alone: a `#1 …` text would read as a link when saved"


def test_a_dependencies_line_that_is_a_key_of_the_file_links_too():
    text = "Summary,Issue key,Dependencies\nA,K-1,K-2\nB,K-2,[x] legal sign-off\n"
    assert link_imports(parse_csv(text), {2: 5, 3: 6}).dependencies == {
        5: [{"text": "#6 K-2", "item": 6, "resolved": False}]
    }
