"""CSV import with Jira's column names, refused rows with reasons, and exports that re-import."""

from __future__ import annotations

import pytest

from bot.domain.backlog_csv import looks_like_backlog, parse_csv, to_csv, to_markdown
from bot.domain.errors import UserError
from bot.usecases.backlog import import_parsed


async def import_csv(store, team, text, actor, now):
    """The import's steps inside the test's one transaction: read the file, add its rows."""
    return await import_parsed(store, team, parse_csv(text), actor, now)


JIRA = (
    "Issue key,Summary,Issue Type,Priority,Custom field (Story Points),Description,"
    "Acceptance Criteria\n"
    'PRJ-1,Export invoices,Story,High,5,By exporting we expect fewer tickets,"PDF\nCSV"\n'
    "PRJ-2,,Bug,Low,3,,\n"
    "PRJ-3,Crash on login,Bug,Highest,three,,\n"
    "PRJ-4,Split the monolith,Epic,Medium,,,\n"
    "PRJ-5,Upgrade Postgres,Technical Debt,Low,8,,\n"
)


async def test_jira_export_imports_valid_rows_and_reports_the_rest(store, team, clock):
    report = await import_csv(store, team, JIRA, "U1", clock.now())
    assert report.imported == [1, 2]
    assert report.refused == [
        (3, "no Summary/Title"),
        (4, "`three` is not a number of story points, e.g. `5` or `0.5`."),
    ]
    assert report.skipped == {"Epic": 1}, "an epic is no backlog item: skipped, not refused"
    first = await store.get_item(team, 1)
    assert (first.title, first.type, first.estimate, first.priority) == (
        "Export invoices",
        "story",
        5.0,
        "High",
    )
    assert first.acceptance_criteria == ["PDF", "CSV"]
    assert (await store.get_item(team, 2)).type == "tech_debt"
    history = await store.history(first)
    assert history[0].action == "imported"


async def test_a_file_without_a_title_column_is_refused_whole(store, team, clock):
    with pytest.raises(UserError, match="no `Summary` or `Title` column"):
        await import_csv(store, team, "Key,Points\nA,3\n", "U1", clock.now())
    with pytest.raises(UserError, match="empty"):
        await import_csv(store, team, "", "U1", clock.now())
    assert await store.count_active(team.id) == 0


def test_backlog_csv_is_recognised_by_its_header():
    assert looks_like_backlog("\ufeffSummary,Story Points\nA,3\n")
    assert looks_like_backlog("title\nA\n")
    assert not looks_like_backlog("Date,Amount\n2026-01-01,3\n")


async def test_csv_export_round_trips_through_import(store, team, clock, db):
    await import_csv(store, team, JIRA, "U1", clock.now())
    await store.edit_item(
        team,
        1,
        {"dependencies": [{"text": "#7 API", "resolved": True}], "labels": ["billing"]},
        "U1",
        clock.now(),
    )
    exported = to_csv(await store.all_items(team.id, include_closed=False))
    other = await store.ensure_team("T0TEAM", "C0OTHER", clock.now())
    report = await import_csv(store, other, exported, "U1", clock.now())
    assert report.refused == [] and report.imported == [1, 2]
    copy = await store.get_item(other, 1)
    original = await store.get_item(team, 1)
    for name in (
        "title",
        "hypothesis",
        "type",
        "estimate",
        "acceptance_criteria",
        "dependencies",
        "labels",
        "priority",
    ):
        assert getattr(copy, name) == getattr(original, name), name


async def test_markdown_export_lists_items_in_order_with_details(store, team, clock):
    await import_csv(store, team, JIRA, "U1", clock.now())
    text = to_markdown(await store.all_items(team.id, include_closed=False), "team-a")
    assert text.startswith("# Product backlog of #team-a")
    assert "| 1 | #1 | Export invoices | Story | 5 | new |" in text
    assert "- PDF" in text and "## #2 Upgrade Postgres" in text
