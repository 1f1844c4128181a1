"""Backlog CSV files as real teams write them: separated by semicolons (Excel in much of
Europe) or tabs (cells copied from a spreadsheet, Excel's "Unicode text"), in Windows-1252 or
UTF-16, and with a title more than once in the file."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

import pytest

from bot.domain.backlog_csv import (
    NotABacklog,
    decode,
    looks_like_backlog,
    open_titles,
    parse_csv,
    read_shared,
    refuse_taken,
)
from bot.domain.errors import UserError
from tests.domain import factories


def titles(text: str) -> list[tuple[int, str]]:
    return [(line, fields.title) for line, fields in parse_csv(text).rows]


@pytest.mark.parametrize("sep", [";", "\t"], ids=["semicolon", "tab"])
def test_a_file_separated_by_semicolons_or_tabs_imports_as_one_separated_by_commas(sep: str):
    text = sep.join(["Summary", "Story Points", "Description"]) + "\n"
    text += sep.join(["Export invoices, as PDF", "5", "Fewer tickets, we expect"]) + "\n"
    text += sep.join(["Dark mode", "3", ""]) + "\n"
    assert looks_like_backlog(text)
    parsed = parse_csv(text)
    assert parsed.refused == []
    [(_, first), (line, second)] = parsed.rows
    assert (first.title, first.estimate, first.hypothesis) == (
        "Export invoices, as PDF",
        5.0,
        "Fewer tickets, we expect",
    )
    assert (line, second.title, second.estimate) == (3, "Dark mode", 3.0)


def test_the_header_decides_the_separator_whatever_the_rows_hold():
    """Rows full of commas do not make a semicolon file a comma one, and a comma file whose
    descriptions are full of semicolons stays a comma file."""
    semicolons = "Summary;Story Points\nA, B and C;3\nD, E;5\nF, G;8\n"
    assert titles(semicolons) == [(2, "A, B and C"), (3, "D, E"), (4, "F, G")]
    commas = 'Summary,Description\nA,"x; y; z"\nB,p; q; r\n'
    assert titles(commas) == [(2, "A"), (3, "B")]
    assert parse_csv(commas).rows[1][1].hypothesis == "p; q; r"
    assert titles("Summary\nOne column, no separator\n") == [(2, "One column, no separator")]


def test_excels_sep_line_names_the_separator_and_is_not_a_row():
    """Excel writes (and reads) `sep=;` above the header, and does not show it as a row."""
    assert titles("sep=;\nSummary;Story Points\nA;3\nB;5\n") == [(2, "A"), (3, "B")]


def test_a_quoted_cell_with_a_doubled_quote_reads_as_excel_wrote_it():
    text = 'Summary;Description\nA;"He said ""ship it""; twice"\n'
    assert parse_csv(text).rows[0][1].hypothesis == 'He said "ship it"; twice'


WINDOWS = "Summary;Story Points\nCafé — naïve “quotes” 5€;3\n"


@pytest.mark.parametrize(
    "data",
    [
        WINDOWS.encode("cp1252"),
        codecs.BOM_UTF8 + WINDOWS.encode(),
        WINDOWS.encode(),
        WINDOWS.replace(";", "\t").encode("utf-16"),  # Excel's "Unicode text": BOM, tabs
        codecs.BOM_UTF16_BE + WINDOWS.encode("utf-16-be"),
    ],
    ids=["cp1252", "utf-8-bom", "utf-8", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_a_file_in_any_encoding_excel_writes_reads_as_written(data: bytes):
    parsed = read_shared(data)
    assert parsed is not None
    assert [fields.title for _, fields in parsed.rows] == ["Café — naïve “quotes” 5€"]
    assert "\ufffd" not in decode(data)


def test_a_file_that_is_not_text_is_refused_with_what_to_do():
    workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"
    with pytest.raises(NotABacklog, match="not a text file") as refused:
        read_shared(workbook)
    assert "CSV UTF-8" in refused.value.message


def test_someones_spreadsheet_is_left_alone_but_a_backlog_without_titles_is_told():
    assert read_shared(b"Date;Amount;Description\n2026-01-01;3;Lunch\n") is None
    with pytest.raises(NotABacklog, match="no `Summary` or `Title` column") as refused:
        read_shared(b"Issue key;Story Points;Issue Type\nPRJ-1;3;Story\n")
    assert "Issue key, Story Points, Issue Type" in refused.value.message
    with pytest.raises(NotABacklog, match="empty"):
        read_shared(b"")
    with pytest.raises(NotABacklog, match="first line cannot be read"):
        read_shared(b'"' + b"x" * 200_000 + b'"\n')


def test_a_pasted_header_without_titles_names_the_columns_it_found():
    with pytest.raises(UserError, match="its first line names Key, Points"):
        parse_csv("Key;Points\nA;3\n")


def test_a_title_repeated_in_the_file_is_refused_naming_the_first_row():
    parsed = parse_csv("Summary,Story Points\nDark mode,3\nlots,x\n  DARK   Mode ,5\nLots,1\n")
    assert [(line, fields.title) for line, fields in parsed.rows] == [(2, "Dark mode"), (5, "Lots")]
    assert parsed.refused == [
        (3, "`x` is not a number of story points, e.g. `5` or `0.5`."),
        (4, "same title as row 2"),
    ]


def test_a_title_an_open_item_has_is_refused_naming_it_but_done_or_archived_do_not_count():
    parsed = parse_csv("Summary\nexport  INVOICES\nDark mode\nOld idea\nShipped\nNew one\n")
    items = [
        factories.item(12, title="Export invoices"),
        factories.item(13, title="Dark mode", status="sprint"),
        factories.item(14, title="Old idea", archived_at=datetime(2026, 1, 1, tzinfo=UTC)),
        factories.item(15, title="Shipped", status="done"),
    ]
    rows, refused = refuse_taken(parsed.rows, open_titles(items))
    assert [fields.title for _, fields in rows] == ["Old idea", "Shipped", "New one"]
    assert refused == [(2, "already on the backlog as #12"), (3, "already in the sprint as #13")]
