"""Which shared files are a backlog: the header decides, and a title-like column alone is not
enough when its name is everyday spreadsheet wording ("Name", "Title"). A contact list, a
reading list or an address book shared in the channel is left alone; every tracker's export
names one column only a backlog has beside its title, and Jira's `Summary` says so by itself."""

from __future__ import annotations

import pytest

from bot.domain.backlog_csv import looks_like_backlog, parse_csv, read_shared


@pytest.mark.parametrize(
    "header",
    [
        "Name,Phone",
        "Name;Phone;E-mail",
        "Name",
        "Title,First Name,Last Name,E-mail Address",  # Outlook's contacts: Mr, Ms…
        "Title,Author,Year",
        "Name,Title,Company",
    ],
)
def test_someones_list_with_a_name_or_title_column_is_left_alone(header: str):
    data = f"{header}\nAna Ruiz{',x' * header.count(',')}{';x' * header.count(';')}\n"
    assert not looks_like_backlog(data)
    assert read_shared(data.encode()) is None


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Summary", "Dark mode"),  # Jira's title: a backlog by itself
        ("Title", "Dark mode"),  # one column: a list of titles
        ("Name,Story Points", "Dark mode,3"),
        ("Name,Description", "Dark mode,Fewer complaints"),
        ("Name,Status,Assignee", "Dark mode,Todo,Ana"),  # Notion
        ("Name,Section/Column,Assignee,Tags,Notes", "Dark mode,Backlog,Ana,ui,"),  # Asana
        ("Title,URL,Assignees,Status,Labels", "Dark mode,https://x,ana,Todo,ui"),  # GitHub
        ("ID,Team,Title,Description,Status,Estimate,Priority", "ENG-1,Eng,Dark mode,,Todo,3,High"),
        ("Name,Labels,Due Date", "Dark mode,ui,"),  # Trello-like
        ("Title,Type", "Dark mode,Bug"),
        ("Name,Key", "Dark mode,PRJ-1"),
    ],
)
def test_a_title_beside_a_backlog_column_is_a_backlog(header: str, row: str):
    data = f"{header}\n{row}\n"
    assert looks_like_backlog(data)
    parsed = read_shared(data.encode())
    assert parsed is not None
    assert [fields.title for _, fields in parsed.rows] == ["Dark mode"]


def test_a_pasted_import_takes_a_name_column_as_it_did():
    """`/backlog import` is asked for: its header is not judged, a Name column is titles."""
    assert [f.title for _, f in parse_csv("Name\nDark mode\n").rows] == ["Dark mode"]
    assert [f.title for _, f in parse_csv("Name,Phone\nDark mode,1\n").rows] == ["Dark mode"]


def test_empty_header_cells_do_not_hide_the_title_column():
    assert looks_like_backlog(",Summary\n,Dark mode\n")
    assert looks_like_backlog("Title,\nDark mode,\n"), "a list of titles, a stray separator"
    assert not looks_like_backlog(",Name,Phone\n,Ana,1\n")
