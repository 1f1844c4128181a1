"""Under which id the tracker's sprint of the running sprint is open on the board now
(``tracker_sprints.open_under``): GitHub renews every iteration's id whenever the project's
iteration field is written, so a sprint gone by its id but open under its name is the same
sprint, while one closed by its id stays closed."""

from __future__ import annotations

from bot.domain.tracker_sprints import open_under
from bot.domain.trackers import SprintState, TrackerSprint

RUNNING = TrackerSprint("i1", "Sprint 1", SprintState.ACTIVE)
RENEWED = TrackerSprint("i9", "Sprint 1", SprintState.ACTIVE)
NEXT = TrackerSprint("i2", "Sprint 2", SprintState.FUTURE)


def test_open_by_its_id_it_keeps_its_id():
    assert open_under([NEXT, RUNNING], "i1", "Sprint 1") == "i1"


def test_gone_by_its_id_the_one_open_sprint_of_its_name_is_it_under_a_new_id():
    assert open_under([RENEWED, NEXT], "i1", "Sprint 1") == "i9"


def test_closed_by_its_id_it_is_closed_even_if_another_has_its_name():
    closed = TrackerSprint("i1", "Sprint 1", SprintState.CLOSED)
    assert open_under([closed, RENEWED], "i1", "Sprint 1") is None


def test_gone_with_no_open_sprint_of_its_name_or_several_it_is_not_open():
    ended = TrackerSprint("i9", "Sprint 1", SprintState.CLOSED)
    assert open_under([ended, NEXT], "i1", "Sprint 1") is None
    twin = TrackerSprint("i8", "Sprint 1", SprintState.FUTURE)
    assert open_under([RENEWED, twin], "i1", "Sprint 1") is None
