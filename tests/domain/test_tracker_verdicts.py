"""The sync's verdicts on an incoming or probed issue, and what they do to an item and its
link, as plain functions on plain objects (no database; the use case's runs are in
tests/app/test_tracker_sync.py and test_jira_reconcile.py; the rules on field values alone are
in test_tracker_fields.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from bot.domain import tracker_sprints as sprints
from bot.domain import tracker_sync as rules
from bot.domain import tracker_writes
from bot.domain.trackers import SprintState, StatusCategory
from storage.models import BacklogItem, TrackerLink
from tests.domain.trackers import LATER, T0, issue


def item(**changes: object) -> BacklogItem:
    values: dict[str, object] = {
        "id": 7,
        "number": 3,
        "title": "Pay",
        "hypothesis": "",
        "type": "story",
        "acceptance_criteria": [],
        "dependencies": [],
        "estimate": 5.0,
        "epic": None,
        "labels": [],
        "status": "open",
        "archived_at": None,
        "updated_at": T0,
    }
    values.update(changes)
    return BacklogItem(**values)


def link(**changes: object) -> TrackerLink:
    """A link that saw `issue()` as it was at T0."""
    values: dict[str, object] = {
        "item_id": 7,
        "connection_id": 1,
        "key": "TB-1",
        "issue_id": "10001",
        "url": "https://x.atlassian.net/browse/TB-1",
        "base": rules.owned_values(issue()),
        "remote": rules.facts(issue()),
        "remote_updated": T0,
        "pending": 0,
        "error": None,
        "synced_at": T0,
    }
    values.update(changes)
    return TrackerLink(**values)


def edit(at: datetime, **changes: object) -> SimpleNamespace:
    return SimpleNamespace(actor="U1", at=at, action="edited", changes=changes)


# -- merging an issue into its item ------------------------------------------------------------


def test_timebox_edits_count_since_the_last_sync_or_ever_before_the_sides_agreed():
    assert rules.merge_since(link()) == T0
    assert rules.merge_since(link(base={})) is None


def test_a_merge_applies_the_trackers_changes_and_logs_them_as_one_edit():
    mine, seen = item(dependencies=[{"text": "UX", "resolved": False}]), link()
    changed = issue(
        summary="Pay by card",
        blocked_by=("TB-2",),
        status_category=StatusCategory.DONE,
        description="Hypothesis: card payers buy twice as often",
    )
    merged = rules.apply_merge(mine, seen, changed, [], {"TB-2"}, LATER, "github")
    assert mine.title == "Pay by card" and mine.status == "done"
    assert mine.hypothesis == "card payers buy twice as often"
    assert mine.dependencies == [
        {"text": "UX", "resolved": False},
        {"text": "TB-2", "resolved": True, "tracker": "TB-2"},
    ]
    [line] = merged.lines
    assert line.action == "edited"
    assert line.changes["title"] == ["Pay", "Pay by card"]
    assert line.changes["status"] == ["open", "done"]
    assert line.changes["hypothesis"] == ["", "card payers buy twice as often"]
    assert line.changes["dependencies"][0] == [{"text": "UX", "resolved": False}]
    assert merged.changed and merged.conflicts == 0 and not merged.write
    assert mine.updated_at == LATER
    # The link now agrees with the issue, as seen now.
    assert seen.base["title"] == "Pay by card" and seen.base["blocked_by"] == ["TB-2"]
    assert seen.remote["tracker"] == "github" and seen.remote["status_category"] == "done"
    assert seen.remote_updated == LATER and seen.synced_at == LATER


def test_a_later_timebox_edit_wins_a_conflict_and_is_written_back():
    mine, seen = item(title="Ours"), link()
    events = [edit(LATER + timedelta(minutes=1), title=["Pay", "Ours"])]
    merged = rules.apply_merge(mine, seen, issue(summary="Theirs"), events, set(), LATER)
    assert mine.title == "Ours" and mine.updated_at == T0, "the item is left as it is"
    [line] = merged.lines
    assert line.action == "conflict" and line.changes["field"] == "title"
    assert line.changes["kept"] == "Timebox" and "written to Jira" in line.changes["note"]
    assert not merged.changed and merged.conflicts == 1 and merged.write
    assert seen.base["title"] == "Theirs", "both now know the tracker's value"


def test_an_edit_before_the_last_sync_does_not_count_against_the_tracker():
    mine = item(title="Ours")
    events = [edit(T0 - timedelta(minutes=1), title=["Pay", "Ours"])]
    merged = rules.apply_merge(mine, link(), issue(summary="Theirs"), events, set(), LATER)
    assert mine.title == "Theirs" and merged.lines[-1].changes["kept"] == "Jira"
    assert not merged.write


def test_an_issue_unchanged_in_the_merged_fields_changes_nothing_but_the_link():
    mine, seen = item(), link()
    merged = rules.apply_merge(mine, seen, issue(status="Open"), [], set(), LATER)
    assert merged.lines == [] and not merged.changed and mine.updated_at == T0
    assert seen.synced_at == LATER and seen.remote["status"] == "Open"


# -- what an incoming issue is ------------------------------------------------------------------


def test_an_unlinked_issue_is_new_if_it_belongs_on_the_backlog():
    assert rules.is_new(issue(), importing=False)
    assert not rules.is_new(issue(issue_type="Epic"), importing=True)
    done = issue(status_category=StatusCategory.DONE)
    assert not rules.is_new(done, importing=False), "a finished issue is history"
    assert rules.is_new(done, importing=True), "the import takes the board as it is"


def test_a_linked_issue_is_seen_merged_or_relinked():
    assert rules.classify(issue(updated=T0), link(), 1, importing=False).action == rules.SEEN
    assert rules.classify(issue(), link(), 1, importing=False).action == rules.MERGE
    assert rules.classify(issue(), link(remote_updated=None), 1, importing=False).action == (
        rules.MERGE
    )
    assert rules.classify(issue(updated=T0), link(), 2, importing=False).action == rules.RELINK
    assert rules.classify(issue(), link(connection_id=None), 1, importing=True).action == (
        rules.RELINK
    )


def test_a_new_rank_token_asks_for_the_boards_order_outside_the_import():
    moved = issue(rank="0|b", updated=T0)
    assert rules.classify(moved, link(), 1, importing=False).reranked
    assert not rules.classify(moved, link(), 1, importing=True).reranked
    assert not rules.classify(moved, link(), 2, importing=False).reranked, "another connection's"
    assert not rules.classify(issue(), link(), 1, importing=False).reranked


def test_relinking_keeps_what_both_sides_agreed_and_brings_back_what_left_the_board():
    gone = link(connection_id=None, remote={"gone": "moved"})
    agreed = dict(gone.base)
    archived = item(archived_at=T0)
    assert rules.relink(gone, archived, 1, LATER)
    assert gone.connection_id == 1 and gone.base == agreed, "merged as any change is"
    assert archived.archived_at is None and archived.updated_at == LATER

    archived_by_hand = item(archived_at=T0)
    other = link(connection_id=None)
    assert not rules.relink(other, archived_by_hand, 1, LATER)
    assert archived_by_hand.archived_at == T0 and other.connection_id == 1


# -- issues gone from the board ------------------------------------------------------------------


def test_unlinking_archives_only_an_item_on_the_backlog():
    gone, mine = link(pending=2, error="refused"), item()
    assert tracker_writes.unlink(gone, mine, "deleted", LATER)
    assert mine.archived_at == LATER and mine.updated_at == LATER
    assert (gone.connection_id, gone.pending, gone.error, gone.key) == (None, 0, None, "TB-1")
    assert gone.remote["gone"] == "deleted" and gone.remote["gone_at"] == LATER.isoformat()
    assert gone.remote["status"] == "To Do", "what the tracker said is kept"

    for status in ("sprint", "done"):
        kept = item(status=status)
        assert not tracker_writes.unlink(link(), kept, "moved", LATER) and kept.archived_at is None
    already = item(archived_at=T0)
    assert not tracker_writes.unlink(link(), already, "moved", LATER) and already.archived_at == T0
    orphan = link()
    assert (
        not tracker_writes.unlink(orphan, None, "moved", LATER) and orphan.remote["gone"] == "moved"
    )


def test_a_probed_issue_is_deleted_applied_moved_or_judged_later():
    board = ({"TB-2"}, LATER)
    old = LATER - rules.WATERMARK_MARGIN - timedelta(seconds=1)
    assert tracker_writes.probe_verdict(None, board) == "deleted"
    assert tracker_writes.probe_verdict(None, None) == "deleted", "a webhook's key: deletion only"
    assert tracker_writes.probe_verdict(issue(updated=old), None) is None
    assert (
        tracker_writes.probe_verdict(issue(key="TB-2", updated=old), board) == tracker_writes.APPLY
    )
    done = issue(status_category=StatusCategory.DONE, updated=old)
    assert tracker_writes.probe_verdict(done, board) == tracker_writes.APPLY
    assert tracker_writes.probe_verdict(issue(updated=old), board) == "moved"
    recent = issue(updated=LATER - rules.WATERMARK_MARGIN)
    assert tracker_writes.probe_verdict(recent, board) is None, "changed just now: next time"


# -- what a write sends ---------------------------------------------------------------------------


def test_an_item_added_in_slack_is_created_as_its_trackers_issue():
    made = tracker_writes.new_issue(
        item(type="bug", labels=["tech debt", "web"], acceptance_criteria=["Visa"], estimate=3.0)
    )
    assert made.summary == "Pay" and made.issue_type == "Bug" and made.estimate == 3.0
    assert made.labels == ("tech-debt", "web") and made.acceptance_criteria == ("Visa",)
    assert tracker_writes.new_issue(item(type="tech_debt")).issue_type == "Tech debt"


def test_a_write_sends_the_item_as_it_is_when_it_runs():
    unkeyed = link(key=None)
    assert tracker_writes.item_write(
        "create", item(), unkeyed
    ).new_issue == tracker_writes.new_issue(item())
    created = tracker_writes.item_write("create", item(), link())
    assert created.new_issue is None and created.nothing == "created already as TB-1"

    edited = tracker_writes.item_write("fields", item(title="Pay by card", estimate=8.0), link())
    assert edited.values == {"title": "Pay by card", "estimate": 8.0} and edited.nothing is None
    same = tracker_writes.item_write("fields", item(labels=["only", "read"]), link(), "linear")
    assert same.values == {} and same.nothing == "in Linear already"

    assert (
        tracker_writes.item_write("done", item(status="done"), link()) == tracker_writes.ItemWrite()
    )
    reopened = tracker_writes.item_write("done", item(status="open"), link())
    assert reopened.nothing == "not done in Timebox any more"
    assert (
        tracker_writes.item_write("reopen", item(status="open"), link())
        == tracker_writes.ItemWrite()
    )
    done_again = tracker_writes.item_write("reopen", item(status="done"), link())
    assert done_again.nothing == "done in Timebox again"


# -- a sprint in the tracker ----------------------------------------------------------------------


def in_sprint(removed: bool = False, done_at: datetime | None = None) -> SimpleNamespace:
    return SimpleNamespace(removed=removed, done_at=done_at)


def test_a_sprints_items_are_sorted_by_their_issues():
    entries = [
        (in_sprint(), link(key="TB-1")),
        (in_sprint(removed=True), link(key="TB-2")),
        (in_sprint(done_at=T0), link(key="TB-3")),
        (in_sprint(done_at=T0), link(key="TB-4", remote={"status_category": "done"})),
        (in_sprint(removed=True, done_at=T0), link(key="TB-5")),
        (in_sprint(), None),
        (in_sprint(), link(key="OTHER-1", connection_id=2)),
        (in_sprint(), link(key=None, pending=0)),
    ]
    keys = sprints.sprint_keys(entries, 1)  # type: ignore[arg-type]
    assert keys.inside == ["TB-1", "TB-3", "TB-4"]
    assert keys.outside == ["TB-2", "TB-5"]
    assert keys.done == ["TB-3"], "seen done already, or taken out: not marked again"
    assert not keys.waiting
    creating = [*entries, (in_sprint(), link(key=None, pending=1))]
    assert sprints.sprint_keys(creating, 1).waiting  # type: ignore[arg-type]
    elsewhere = [(in_sprint(), link(key=None, pending=1, connection_id=2))]
    assert not sprints.sprint_keys(elsewhere, 1).waiting  # type: ignore[arg-type]


def test_the_trackers_sprint_is_started_once_and_closed_with_its_done_issues():
    future, active = SprintState.FUTURE, SprintState.ACTIVE
    running = sprints.sprint_steps("active", future, ["TB-1"], ["TB-2"], ["TB-1"])
    assert running == sprints.SprintSteps(["TB-1"], ["TB-2"], True, [], False)
    assert not sprints.sprint_steps("active", active, ["TB-1"], [], []).start
    assert sprints.sprint_steps("active", None, [], [], []).start, "found just now: try"
    planned = sprints.sprint_steps("planning", future, ["TB-1"], [], [])
    assert planned.move_in == ["TB-1"] and not planned.start and not planned.close
    closing = sprints.sprint_steps("closed", active, ["TB-1", "TB-3"], ["TB-2"], ["TB-3"])
    assert closing == sprints.SprintSteps([], ["TB-2"], False, ["TB-3"], True)
    assert sprints.sprint_steps("closed", future, [], [], []).start, "started before closing"


def test_a_relinked_item_owes_its_issue_the_status_timebox_gave_it_while_apart():
    done, todo = StatusCategory.DONE, StatusCategory.TODO
    owed = rules.owed_on_return
    assert owed(item(status="done"), issue(status_category=todo)) == "done"
    assert owed(item(status="open"), issue(status_category=done)) == "reopen"
    assert owed(item(archived_at=T0), issue(status_category=todo)) == "archive"
    assert owed(item(status="done"), issue(status_category=done)) is None, "agree already"
    assert owed(item(archived_at=T0), issue(status_category=done)) is None, "closed already"
    assert owed(item(status="open"), issue(status_category=todo)) is None
    assert owed(item(status="sprint"), issue(status_category=done)) is None, "the sprint's"
