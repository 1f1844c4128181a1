"""The sync's rules on field values, as plain functions: an issue mapped onto an item's fields,
each field merged with the later change winning, what Timebox writes back, where a moved item
ranks and how a refused write is retried (the verdicts on issues, items and links:
test_tracker_verdicts.py; what a webhook means: test_tracker_webhooks.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import tracker_sync as rules
from bot.domain import tracker_writes
from bot.domain.trackers import StatusCategory, TrackerUser
from tests.domain.trackers import T0, issue


def test_an_issue_maps_onto_an_items_fields():
    filed = issue(
        summary="  Pay   by card ",
        description="Card payments",
        acceptance_criteria=("Visa", " "),
        issue_type="Bug",
        status_category=StatusCategory.IN_PROGRESS,
        status="In Progress",
        assignee=TrackerUser("a1", "Ann"),
        epic="TB-9",
        labels=("web", "web", "payments"),
        blocked_by=("TB-3", "TB-2"),
    )
    owned = rules.owned_values(filed)
    assert owned == {
        "title": "Pay by card",
        "acceptance_criteria": ["Visa"],
        "estimate": 5.0,
        "type": "bug",
        "epic": "TB-9",
        "labels": ["web", "payments"],
        "blocked_by": ["TB-2", "TB-3"],
    }
    no_summary = replace(filed, summary="", estimate=-1)
    assert rules.owned_values(no_summary)["title"] == "(TB-1 has no summary)"
    assert rules.owned_values(replace(filed, estimate=5000))["estimate"] == 1000
    assert rules.item_type("Task") == "story" and rules.item_type("Technical debt") == "tech_debt"
    facts = rules.facts(filed)
    assert facts["assignee"] == "Ann" and facts["status_category"] == "indeterminate"
    assert not rules.is_backlog_issue(replace(filed, issue_type="Epic"))


def test_jira_links_replace_only_the_dependencies_jira_gave():
    typed = {"text": "design from UX", "resolved": False}
    old = [typed, {"text": "TB-7", "resolved": False, "tracker": "TB-7"}]
    assert rules.dependencies_with(old, ["TB-3"], done=["TB-3"]) == [
        typed,
        {"text": "TB-3", "resolved": True, "tracker": "TB-3"},
    ]


def test_done_in_jira_is_done_here_and_reopened_comes_back():
    assert rules.status_after("open", "done", None) == "done"
    assert rules.status_after("done", "new", "done") == "open"
    assert rules.status_after("sprint", "indeterminate", "new") is None
    assert rules.status_after("done", "new", "new") is None, "done in Timebox, not reopened"


def current(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Pay",
        "acceptance_criteria": [],
        "estimate": 5.0,
        "type": "story",
        "epic": None,
        "labels": [],
        "blocked_by": [],
    }
    values.update(changes)
    return values


def test_merge_takes_each_sides_own_change_and_the_later_of_two():
    base = current()
    # Jira changed the title, Timebox the estimate: both kept, nothing in conflict.
    merged = rules.merge(current(estimate=8.0), base, current(title="Pay by card"), T0, {})
    assert merged.changes == {"title": ["Pay", "Pay by card"]}
    assert merged.conflicts == [] and merged.write == []
    assert merged.base["title"] == "Pay by card" and merged.base["estimate"] == 5.0

    # Both changed the title: Timebox later wins and is written back.
    later = {"title": T0 + timedelta(minutes=1)}
    merged = rules.merge(current(title="Ours"), base, current(title="Theirs"), T0, later)
    [conflict] = merged.conflicts
    assert merged.changes == {} and merged.write == ["title"]
    assert conflict.kept == "Timebox" and "Timebox's change (2026-03-02 09:01 UTC)" in (
        conflict.note()
    )
    # Jira later wins.
    earlier = {"title": T0 - timedelta(minutes=1)}
    merged = rules.merge(current(title="Ours"), base, current(title="Theirs"), T0, earlier)
    assert merged.changes == {"title": ["Ours", "Theirs"]} and merged.write == []
    assert merged.conflicts[0].kept == "Jira"
    # The same change on both sides is no conflict.
    merged = rules.merge(current(title="Same"), base, current(title="Same"), T0, later)
    assert merged.conflicts == [] and merged.changes == {}
    # A first import takes Jira's values.
    assert rules.merge(current(), {}, current(title="New"), T0, {}).changes == {
        "title": ["Pay", "New"]
    }


def test_a_relink_writes_what_timebox_changed_while_apart_and_the_later_of_two():
    base = current()
    later = {"title": T0 + timedelta(minutes=1), "type": T0 + timedelta(minutes=1)}
    # Only Timebox changed the title while apart: kept, and written (no write was on the way).
    merged = rules.merge(current(title="Ours"), base, current(), T0, later, relinked=True)
    assert merged.changes == {} and merged.write == ["title"] and merged.conflicts == []
    # Both changed it: the later wins, with a conflict line.
    merged = rules.merge(
        current(title="Ours"), base, current(title="Theirs"), T0, later, relinked=True
    )
    assert merged.write == ["title"] and merged.conflicts[0].kept == "Timebox"
    # Never agreed on: the later change; the tracker's when Timebox never edited it.
    merged = rules.merge(
        current(title="Ours"), {}, current(title="Theirs"), T0, later, relinked=True
    )
    assert merged.write == ["title"] and merged.changes == {}
    merged = rules.merge(current(title="Ours"), {}, current(title="Theirs"), T0, {}, relinked=True)
    assert merged.changes == {"title": ["Ours", "Theirs"]} and merged.conflicts == []
    # A field Timebox does not write is the tracker's.
    merged = rules.merge(current(type="bug"), base, current(), T0, later, relinked=True)
    assert merged.changes == {"type": ["bug", "story"]} and merged.write == []


def test_what_timebox_changed_is_what_it_writes():
    assert tracker_writes.to_write(current(estimate=13.0), current()) == {"estimate": 13.0}
    assert tracker_writes.to_write(current(labels=["x"]), current()) == {}, "labels are read only"


def test_local_change_times_ignore_the_syncs_own_edits():
    class Event:
        def __init__(self, actor: str, at: datetime, **changes: object) -> None:
            self.actor, self.at, self.action, self.changes = actor, at, "edited", changes

    events = [
        Event("U1", T0, title=["a", "b"]),
        Event(rules.JIRA, T0 + timedelta(minutes=5), title=["b", "c"]),
        Event("U2", T0 + timedelta(minutes=2), estimate=[1, 2], title=["c", "d"]),
    ]
    assert rules.local_change_times(events, None) == {
        "title": T0 + timedelta(minutes=2),
        "estimate": T0 + timedelta(minutes=2),
    }
    assert rules.local_change_times(events, T0 + timedelta(minutes=3)) == {}


def test_retries_wait_as_told_back_off_and_never_give_up():
    assert tracker_writes.retry_delay(1, retry_after=120, retryable=True) == 120
    assert [tracker_writes.retry_delay(n, retry_after=None, retryable=True) for n in (1, 2, 3)] == [
        10,
        20,
        40,
    ]
    assert tracker_writes.retry_delay(30, retry_after=None, retryable=True) == rules.MAX_RETRY
    assert tracker_writes.retry_delay(1, retry_after=None, retryable=False) == rules.REFUSED_RETRY
    assert tracker_writes.pending_text(1, "Jira asked to wait") == (
        "not yet in Jira: retrying (Jira asked to wait)"
    )
    assert tracker_writes.pending_text(0, "stale") is None


def test_a_conflict_is_told_in_the_teams_zone_to_the_second_within_one_minute():
    """QA: "07:44 UTC" for a team in Madrid, and "06:29 ... later than 06:29"."""
    base = current()
    madrid = ZoneInfo("Europe/Madrid")
    seconds_later = {"title": T0 + timedelta(seconds=40)}
    merged = rules.merge(current(title="Ours"), base, current(title="Theirs"), T0, seconds_later)
    note = merged.conflicts[0].note(madrid)
    assert "Timebox's change (2026-03-02 10:00:40 Europe/Madrid)" in note, note
    assert "Jira's (2026-03-02 10:00:00 Europe/Madrid)" in note, note
    minutes_later = {"title": T0 + timedelta(minutes=5)}
    merged = rules.merge(current(title="Ours"), base, current(title="Theirs"), T0, minutes_later)
    assert "(2026-03-02 10:05 Europe/Madrid)" in merged.conflicts[0].note(madrid)
