"""The tracker records' own rules, which all three clients use: where `rank` puts an issue, what
a page of changes keeps, what an update writes of the text, and how a tracker's words are cut
and a GraphQL connection paged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.trackers import KEEP, IssuePage, IssueUpdate, Placement
from bot.trackers.http import next_cursor, shortened
from tests.domain.trackers import LATER, T0, issue


def test_rank_takes_exactly_one_anchor_and_never_the_issue_itself():
    assert Placement.of("TB-1", before="TB-2", after=None) == Placement("TB-2", before=True)
    assert Placement.of("TB-1", before=None, after="TB-3") == Placement("TB-3", before=False)
    assert str(Placement.of("TB-1", before="TB-2", after=None)) == "before TB-2"
    assert str(Placement.of("TB-1", before=None, after="TB-3")) == "after TB-3"
    for before, after in ((None, None), ("TB-2", "TB-3")):
        with pytest.raises(ValueError, match="exactly one of before= or after="):
            Placement.of("TB-1", before=before, after=after)
    for before, after in (("TB-1", None), (None, "TB-1")):
        with pytest.raises(ValueError, match="cannot be ranked next to itself"):
            Placement.of("TB-1", before=before, after=after)


def test_a_page_of_changes_keeps_those_since_and_marks_the_latest_of_all():
    """A search may send issues older than asked (Jira's JQL reads minutes): they are left out,
    but the watermark is the latest `updated` the tracker sent, kept or not."""
    old = issue(key="TB-1", updated=T0 - timedelta(minutes=1))
    new = issue(key="TB-2", updated=LATER)
    page = IssuePage.of_changes([new, old], since=T0, cursor="next")
    assert [i.key for i in page.issues] == ["TB-2"]
    assert page.watermark == LATER
    assert page.cursor == "next"
    at_since = IssuePage.of_changes([issue(updated=T0)], since=T0, cursor=None)
    assert len(at_since.issues) == 1, "an issue updated exactly at `since` is kept"
    assert IssuePage.of_changes([], since=T0, cursor=None).watermark is None


def test_an_update_writes_the_text_it_names_over_what_the_issue_has():
    assert not IssueUpdate(summary="Pay").changes_text
    assert IssueUpdate(description="Why").changes_text
    assert IssueUpdate(acceptance_criteria=("Paid",)).changes_text
    current = ("Old text", ["Old criterion"])
    assert IssueUpdate(description="New").text_over(*current) == ("New", ("Old criterion",))
    assert IssueUpdate(acceptance_criteria=("A", "B")).text_over(*current) == (
        "Old text",
        ("A", "B"),
    )
    assert IssueUpdate(acceptance_criteria=()).text_over(*current) == ("Old text", ())
    assert IssueUpdate(description=KEEP).text_over(*current) == ("Old text", ("Old criterion",))


def test_a_trackers_words_are_cut_at_300_characters_with_a_mark():
    assert shortened("x" * 300) == "x" * 300
    cut = shortened("x" * 301)
    assert len(cut) == 300 and cut.endswith("...")


def test_a_graphql_connection_ends_without_a_next_page_or_an_empty_cursor():
    """An empty `endCursor` with `hasNextPage` would ask for the first page again, forever."""
    assert next_cursor({"pageInfo": {"hasNextPage": True, "endCursor": "c2"}}) == "c2"
    assert next_cursor({"pageInfo": {"hasNextPage": False, "endCursor": "c2"}}) is None
    assert next_cursor({"pageInfo": {"hasNextPage": True, "endCursor": ""}}) is None
    assert next_cursor({}) is None
