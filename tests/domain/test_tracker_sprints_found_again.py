"""Which of the board's open sprints an open sprint of Timebox's is linked to again when the
channel connects again to the same board (``tracker_sprints.found_again``)."""

from __future__ import annotations

from bot.domain.tracker_sprints import found_again
from bot.domain.trackers import SprintState, TrackerSprint

ONE = TrackerSprint("c1", "Sprint 1", SprintState.ACTIVE)
RENAMED = TrackerSprint("c7", "Checkout push", SprintState.ACTIVE)
NEXT = TrackerSprint("c2", "Sprint 2", SprintState.FUTURE)


def test_the_sprint_named_as_timebox_names_it_is_found_first():
    assert found_again("Sprint 1", [NEXT, RENAMED, ONE], ["c7", "c7"]) is ONE


def test_renamed_there_it_is_the_one_most_of_its_items_were_last_seen_in():
    assert found_again("Sprint 1", [NEXT, RENAMED], ["c7", None, "c2", "c7"]) is RENAMED


def test_none_when_neither_is_there():
    assert found_again("Sprint 1", [NEXT], [None, "gone"]) is None
    assert found_again("Sprint 1", [], ["c1"]) is None
