"""Labels in a backlog CSV: Jira's export writes an issue's labels as a `Labels`
column repeated, one label a column (as it does its Blocks links), and every label comes in,
not just the first; and Timebox's own export (`/backlog export csv`, "re-importable") writes
labels comma-separated, so a label of two words (`needs design`) comes back as one label, not
two. A single Jira-style cell of labels separated by spaces is still read as several."""

from __future__ import annotations

from bot.domain.backlog_csv import parse_csv, to_csv
from tests.domain.factories import item


def labels_of(text: str) -> list[list[str]]:
    parsed = parse_csv(text)
    assert parsed.refused == []
    return [fields.labels for _, fields in parsed.rows]


def test_every_label_of_a_jira_export_with_repeated_labels_columns_comes_in():
    """`Summary,Labels,Labels,Labels` with `Export,billing,pdf,q3`: only `billing` came in."""
    text = (
        "Summary,Issue key,Labels,Labels,Labels\n"
        "Export,PROJ-1,billing,pdf,q3\n"
        "Dark mode,PROJ-2,ui,,\n"
    )
    assert labels_of(text) == [["billing", "pdf", "q3"], ["ui"]]


def test_labels_of_several_words_survive_an_export_and_its_import():
    """An item labelled `needs design` and `ux`, exported and imported again, had the three
    labels `needs`, `design` and `ux`."""
    one = item(1, title="Export", type="story", status="new", labels=["needs design", "ux"])
    assert labels_of(to_csv([one])) == [["needs design", "ux"]]


def test_a_jira_cell_of_labels_separated_by_spaces_is_still_several_labels():
    """What the fix keeps: Jira's single `Labels` cell `billing pdf` is two labels."""
    assert labels_of("Summary,Labels\nExport,billing pdf\n") == [["billing", "pdf"]]
