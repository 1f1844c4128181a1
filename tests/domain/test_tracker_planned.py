"""The sync's rules on an issue planned in a sprint and on an item's status against what both
sides last agreed on, as plain functions (the app's runs: tests/app/test_tracker_planned.py):
an issue planned in a sprint (cycle, iteration) is no backlog issue to the sync, as the import
leaves it out; a done or a restore of Timebox's stands until the tracker changes the status."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain import tracker_sync as rules
from bot.domain.trackers import StatusCategory
from tests.domain.test_tracker_verdicts import item, link
from tests.domain.trackers import LATER, T0, issue

TODO, DONE = StatusCategory.TODO, StatusCategory.DONE


@pytest.mark.parametrize("kind", ["jira", "github", "linear"])
def test_an_issue_planned_in_a_sprint_is_new_only_to_the_import(kind: str):
    planned = issue(sprint="Sprint 7")
    assert not rules.on_backlog(planned, kind)
    assert not rules.is_new(planned, importing=False, kind=kind), "the team's sprint work"
    assert rules.is_new(planned, importing=True, kind=kind), "the import's page is the backlog"
    assert rules.is_new(replace(planned, sprint=None), importing=False, kind=kind)


def test_a_done_or_restore_of_timeboxs_stands_while_the_tracker_has_not_changed():
    done, new = DONE.value, TODO.value
    assert rules.status_after("open", done, done) is None, "restored: its reopen is on its way"
    assert rules.status_after("done", new, new) is None, "done: its write is on its way"
    assert rules.status_after("open", done, new) == "done", "done in the tracker since"
    assert rules.status_after("done", new, done) == "open", "reopened in the tracker since"
    assert rules.status_after("open", done, None) == "done", "never agreed: the tracker's"


def test_the_status_both_sides_agreed_on_is_kept_with_the_link():
    fresh = rules.agreed_values(issue(status_category=DONE))
    assert fresh == {**rules.owned_values(issue()), rules.STATUS: "done"}
    assert rules.agreed_status(link(base=fresh)) == "done"
    old = link(remote={**rules.facts(issue()), "status_category": "done"})
    assert rules.agreed_status(old) == "done", "a link from before: the category last seen"
    assert rules.written_status("done") == {rules.STATUS: "done"}
    assert rules.written_status("reopen") == {rules.STATUS: "new"}


def test_a_merge_keeps_a_restore_until_the_tracker_reopens_or_closes_it_itself():
    restored = item(status="open")
    agreed = link(base=rules.agreed_values(issue(status_category=DONE)))
    retitled = issue(status_category=DONE, summary="Pay by card", updated=LATER)

    applied = rules.apply_merge(restored, agreed, retitled, [], set(), LATER)

    assert restored.title == "Pay by card" and restored.status == "open"
    assert [line.changes for line in applied.lines] == [{"title": ["Pay", "Pay by card"]}]
    assert agreed.base[rules.STATUS] == "done", "still what both last agreed on"

    agreed.base = {**agreed.base, **rules.written_status("reopen")}  # the reopen landed
    rules.apply_merge(restored, agreed, replace(retitled, status_category=TODO), [], set(), T0)
    assert restored.status == "open" and agreed.base[rules.STATUS] == "new"

    closed = replace(retitled, status_category=DONE, updated=LATER)
    rules.apply_merge(restored, agreed, closed, [], set(), LATER)
    assert restored.status == "done", "closed in the tracker since: done here"
    assert agreed.base[rules.STATUS] == "done"
