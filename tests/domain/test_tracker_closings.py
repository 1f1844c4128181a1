"""The sync's rules on how an issue's status and order reach a running sprint's items and the
backlog, as plain functions (the app's runs: tests/app/test_tracker_sprint_work.py,
test_tracker_not_planned.py, test_tracker_reorders.py, test_tracker_done_estimates.py)."""

from __future__ import annotations

from types import SimpleNamespace

from bot.domain import tracker_sprints, tracker_writes
from bot.domain import tracker_sync as rules
from bot.domain.trackers import StatusCategory
from tests.domain.test_tracker_verdicts import item, link
from tests.domain.trackers import LATER, T0, issue

DONE, TODO = StatusCategory.DONE.value, StatusCategory.TODO.value


def test_the_trackers_status_is_news_only_when_it_changed_since_both_agreed():
    assert rules.status_news("sprint", DONE, TODO) == rules.FINISHED
    assert rules.status_news("sprint", DONE, TODO, not_planned=True) == rules.DROPPED
    assert rules.status_news("done", TODO, DONE) == rules.REOPENED
    assert rules.status_news("open", TODO, DONE, archived=True) == rules.REOPENED
    assert rules.status_news("open", TODO, DONE) is None, "restored here: its reopen is on its way"
    assert rules.status_news("open", DONE, DONE, not_planned=True) is None, "said already"
    assert rules.status_after("sprint", DONE, TODO) == "done"


def test_a_merge_leaves_a_running_sprints_item_to_the_sprint():
    mine, seen = item(status="sprint"), link()
    merged = rules.apply_merge(
        mine, seen, issue(status_category=StatusCategory.DONE), [], set(), LATER, in_sprint=True
    )
    assert mine.status == "sprint" and merged.sprint_news == rules.FINISHED
    assert seen.base[rules.STATUS] == DONE, "both sides agree: no done to write back"
    assert (
        tracker_writes.item_write("done", item(status="done"), seen).nothing
        == "done in Jira already"
    )


def test_an_issue_closed_as_not_planned_archives_its_item_and_a_reopen_brings_it_back():
    mine, seen = item(), link()
    closed = issue(status_category=StatusCategory.DONE, not_planned=True)
    merged = rules.apply_merge(mine, seen, closed, [], set(), LATER, "github")
    assert mine.archived_at == LATER and mine.status == "open", "archived, not done"
    [line] = merged.lines
    assert line.action == "archived"
    assert line.changes["note"].startswith("TB-1 was closed as not planned in GitHub on")

    reopened = issue(updated=LATER, status_category=StatusCategory.TODO)
    merged = rules.apply_merge(mine, seen, reopened, [], set(), LATER, "github")
    assert mine.archived_at is None and mine.status == "open"
    assert merged.lines[-1].action == "restored"


def test_a_planned_issue_missing_from_the_boards_keys_has_not_left_the_board():
    board = ({"TB-9"}, LATER)
    assert (
        tracker_writes.probe_verdict(issue(sprint="Sprint 3", updated=T0), board)
        == tracker_writes.APPLY
    )
    assert tracker_writes.probe_verdict(issue(updated=T0), board) == "moved"


def test_an_estimate_changed_after_the_item_was_done_is_not_written():
    def event(**changes: object) -> SimpleNamespace:
        return SimpleNamespace(changes=changes)

    late = [event(status=["sprint", "done"]), event(estimate=[5.0, 8.0])]
    assert tracker_writes.estimated_after_done(late)
    assert not tracker_writes.estimated_after_done(late[::-1])
    assert not tracker_writes.estimated_after_done([event(estimate=[None, 3.0])])
    done = item(status="done", estimate=8.0)
    sends = tracker_writes.item_write("fields", done, link(), estimated_late=True)
    assert sends.values == {} and sends.nothing == "a done issue keeps its estimate"
    assert tracker_writes.item_write("fields", done, link()).values == {"estimate": 8.0}


def test_a_move_into_or_out_of_the_running_sprints_sprint_is_news_only_once_it_happened():
    news = tracker_sprints.scope_news
    free = {"held": False, "finished": False, "free": True}
    held = {"held": True, "finished": False, "free": False}
    assert news("7", None, "7", **free) == tracker_sprints.JOINED, "moved in there"
    assert news("7", "7", "7", **free) is None, "in it when last seen: Timebox's remove waits"
    assert news("7", None, "7", **held) is None, "Timebox's commitment put it there"
    assert news(None, "7", "7", **held) == tracker_sprints.LEFT, "moved out there"
    assert news(None, "7", "7", **held, sprint_open=False) is None, "the sprint was completed"
    assert news(None, "7", "7", held=True, finished=True, free=False) is None, "done stays"
    assert news("8", None, "7", **free) is None, "another sprint is not Timebox's"
