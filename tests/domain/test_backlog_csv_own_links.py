"""Timebox's own CSV export imported into another backlog (another channel, or the sandbox's
backlog taken to the team's): its `Key` column holds the exporting backlog's numbers (`#1`),
and an item's dependency on another item of the file (`[ ] #1 Set up payments`) becomes a
link to the item that row became here, not text that names this backlog's #1, which is
another item, or none."""

from __future__ import annotations

from bot.domain.backlog_csv import link_imports, parse_csv, to_csv
from tests.domain.factories import item


def exported() -> str:
    first = item(1, title="Set up payments", type="story", status="new", labels=[])
    second = item(
        2,
        title="Pay by card",
        type="story",
        status="new",
        labels=[],
        dependencies=[{"text": "#1 Set up payments", "item": 1, "resolved": False}],
    )
    third = item(
        3,
        title="Receipts",
        type="story",
        status="new",
        labels=[],
        dependencies=[{"text": "#2", "item": 2, "resolved": False}, {"text": "legal sign-off"}],
    )
    return to_csv([first, second, third])


def test_a_dependency_on_another_item_of_the_file_links_the_item_it_became():
    parsed = parse_csv(exported())
    assert parsed.refused == []
    added = {2: 31, 3: 32, 4: 33}  # spreadsheet row: the item it became here
    assert link_imports(parsed, added).dependencies == {
        32: [{"text": "#31 Set up payments", "item": 31, "resolved": False}],
        33: [
            {"text": "#32", "item": 32, "resolved": False},
            {"text": "legal sign-off", "resolved": False},
        ],
    }


def test_a_dependency_on_an_item_that_did_not_come_in_stays_the_text_it_was():
    """Row 2 (#1) refused here (its title taken): #2's dependency stays a note."""
    links = link_imports(parse_csv(exported()), {3: 32, 4: 33}).dependencies
    assert 32 not in links, "nothing linked for #2: its dependency stays as the file gave it"
    assert links[33][0] == {"text": "#32", "item": 32, "resolved": False}


def test_a_circle_of_dependencies_in_the_file_keeps_the_closing_one_as_a_note_without_its_hash():
    """A `#1` left as text would read as a link to this backlog's #1 when the item is saved."""
    a = item(1, title="A", type="story", status="new", labels=[])
    b = item(2, title="B", type="story", status="new", labels=[])
    a.dependencies = [{"text": "#2 B", "item": 2, "resolved": False}]
    b.dependencies = [{"text": "#1 A", "item": 1, "resolved": False}]
    links = link_imports(parse_csv(to_csv([a, b])), {2: 7, 3: 8}).dependencies
    assert links == {
        7: [{"text": "#8 B", "item": 8, "resolved": False}],
        8: [{"text": "item 1 of the imported file", "resolved": False}],
    }
