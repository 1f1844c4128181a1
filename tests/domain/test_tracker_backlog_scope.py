"""Which issue no item is linked to joins the backlog when the sync (not the import) sees it:
only one the tracker's backlog holds, as the import would have taken it (the use case's run:
tests/app/test_tracker_backlog_scope.py)."""

from __future__ import annotations

import pytest

from bot.domain import tracker_sync as rules
from bot.domain import tracker_writes
from bot.domain.trackers import StatusCategory
from tests.domain.trackers import issue

TODO, STARTED, DONE = StatusCategory.TODO, StatusCategory.IN_PROGRESS, StatusCategory.DONE


def test_a_linear_issue_already_started_is_not_new_to_the_sync():
    started = issue(status_category=STARTED, status="In Progress")
    assert not rules.on_backlog(started, "linear")
    assert not rules.is_new(started, importing=False, kind="linear"), "work under way"
    assert rules.is_new(issue(status="Todo"), importing=False, kind="linear")
    assert rules.is_new(started, importing=True, kind="linear"), "the import's page is the backlog"


@pytest.mark.parametrize("kind", ["jira", "github"])
def test_jira_and_github_backlogs_hold_every_issue_not_done(kind: str):
    """Their first imports take an issue in progress outside a sprint: the sync does too."""
    assert rules.is_new(issue(status_category=STARTED), importing=False, kind=kind)
    assert rules.is_new(issue(status_category=TODO), importing=False, kind=kind)
    assert not rules.is_new(issue(status_category=DONE), importing=False, kind=kind)


@pytest.mark.parametrize("kind", ["jira", "github", "linear"])
def test_no_tracker_takes_an_epic_or_a_finished_issue_as_new(kind: str):
    assert not rules.is_new(issue(issue_type="Epic"), importing=False, kind=kind)
    assert not rules.is_new(issue(status_category=DONE), importing=False, kind=kind)


def test_a_connection_is_in_step_only_once_every_write_has_landed():
    assert tracker_writes.connection_state("connected", 0, 0) == "connected"
    assert tracker_writes.connection_state("connected", 2, 0) == tracker_writes.SENDING
    assert tracker_writes.connection_state("connected", 2, 2) == tracker_writes.FAILING
    assert tracker_writes.connection_state("importing", 2, 0) == "importing"
    assert tracker_writes.connection_state("error", 0, 0) == "error"
