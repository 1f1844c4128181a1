"""The rules behind dropping a dependency on an issue gone from the board, and the readiness
line a tracker's change writes, on plain objects (the runs through the app:
tests/app/test_tracker_gone_dependencies.py, tests/app/test_tracker_unready_line.py)."""

from __future__ import annotations

from bot.domain import backlog
from bot.domain import tracker_sync as rules
from bot.domain.readiness import DEFAULT_DOR, readiness_change
from tests.domain.test_tracker_verdicts import item, link
from tests.domain.trackers import LATER, issue


def test_only_the_trackers_dependencies_on_the_gone_keys_are_dropped():
    typed = {"text": "TB-9 review", "resolved": False}
    linked = {"text": "#4", "item": 4, "resolved": False}
    kept_key = {"text": "TB-2", "resolved": False, "tracker": "TB-2"}
    gone_key = {"text": "TB-3", "resolved": False, "tracker": "TB-3"}
    kept, dropped = backlog.drop_blockers([typed, gone_key, linked, kept_key], {"TB-3", "TB-9"})
    assert kept == [typed, linked, kept_key], "Slack's own stay, even naming the key"
    assert dropped == ["TB-3"]
    assert backlog.drop_blockers([typed], {"TB-3"}) == ([typed], [])


def test_a_gone_issue_is_named_by_its_old_key_and_its_new_one_with_why():
    deleted = link(key="TB-3", connection_id=None, remote={"gone": "deleted"})
    filtered = link(key="TB-4", connection_id=None, remote={"gone": "moved"})
    moved = link(key="TB-5", connection_id=None, remote={"gone": None, "moved_to": "OT-1"})
    said = rules.gone_blockers([deleted, filtered, moved], "github")
    assert set(said) == {"TB-3", "TB-4", "TB-5", "OT-1"}
    assert said["TB-3"].startswith("TB-3 was deleted in GitHub (or the GitHub account")
    assert said["TB-4"].startswith("TB-4 left the board in GitHub (moved, or out of the")
    assert said["TB-5"] == said["OT-1"]
    assert "(moved to another repository: it is OT-1 now)" in said["TB-5"]
    assert all(words.endswith("the dependency on it is dropped") for words in said.values())


def test_readiness_changes_either_way_and_stays_unsaid_otherwise():
    ready = item(hypothesis="More sales", acceptance_criteria=["Visa"])
    assert readiness_change(True, ready, DEFAULT_DOR) is None
    assert readiness_change(False, ready, DEFAULT_DOR) == "became ready"
    assert readiness_change(True, item(), DEFAULT_DOR) == "no longer ready"


def test_a_merge_says_the_readiness_it_changed_after_its_edit_when_given_the_dor():
    mine = item(hypothesis="More sales", acceptance_criteria=["Visa"])
    seen = link(base={**rules.owned_values(issue()), "acceptance_criteria": ["Visa"]})
    merged = rules.apply_merge(mine, seen, issue(summary="Pay!"), [], set(), LATER, dor=DEFAULT_DOR)
    assert [line.action for line in merged.lines] == ["edited", "no longer ready"]
    assert mine.acceptance_criteria == []

    mine = item(hypothesis="More sales", acceptance_criteria=["Visa"])
    seen = link(base={**rules.owned_values(issue()), "acceptance_criteria": ["Visa"]})
    merged = rules.apply_merge(mine, seen, issue(summary="Pay!"), [], set(), LATER)
    assert [line.action for line in merged.lines] == ["edited"], "no DoR given: not judged"


def test_a_writes_merge_says_it_too_when_given_the_dor():
    mine = item(hypothesis="More sales", acceptance_criteria=["Visa"])
    seen = link(base={**rules.owned_values(issue()), "acceptance_criteria": ["Visa"]})
    merged = rules.merge_before_write(
        mine, seen, issue(summary="Pay!"), [], set(), LATER, dor=DEFAULT_DOR
    )
    assert merged is not None
    assert [line.action for line in merged.lines] == ["edited", "no longer ready"]
