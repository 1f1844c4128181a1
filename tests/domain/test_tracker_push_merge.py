"""A field write's merge of its issue as just read (``merge_before_write``), on plain objects:
the fields alone are merged as the sync merges them; the status and what the link last saw
are the next sync's. The runs through the app: tests/app/test_tracker_push_merge.py."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import tracker_sync as rules
from bot.domain import tracker_writes
from bot.domain.trackers import StatusCategory
from tests.domain.test_tracker_verdicts import edit, item, link
from tests.domain.trackers import LATER, T0, issue


def test_an_issue_unchanged_since_the_link_saw_it_is_not_merged_before_a_write():
    mine, seen = item(title="Ours"), link()
    assert rules.merge_before_write(mine, seen, issue(updated=T0), [], set(), LATER) is None
    assert tracker_writes.to_write(rules.current_values(mine), seen.base) == {"title": "Ours"}


def test_a_write_merges_the_fields_changed_there_and_leaves_the_status_to_the_sync():
    mine, seen = item(title="Ours"), link()
    events = [edit(LATER + timedelta(minutes=1), title=["Pay", "Ours"])]
    changed = issue(summary="Theirs", estimate=3, status_category=StatusCategory.DONE)
    merged = rules.merge_before_write(mine, seen, changed, events, set(), LATER)
    assert merged is not None
    assert [line.action for line in merged.lines] == ["edited", "conflict"]
    assert merged.lines[0].changes == {"estimate": [5.0, 3.0]}
    assert merged.lines[1].changes["kept"] == "Timebox"
    assert (mine.title, mine.estimate, mine.status) == ("Ours", 3.0, "open")
    assert tracker_writes.to_write(rules.current_values(mine), seen.base) == {"title": "Ours"}
    assert rules.agreed_status(seen) != "done" and seen.remote_updated == T0, "the sync's"
