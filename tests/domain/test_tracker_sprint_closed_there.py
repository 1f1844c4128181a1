"""A tracker's sprint closed there by someone while Timebox's sprint runs: no call changes it
any more (its issues are neither moved in nor out, it is not started or closed again), done
items are still marked done when Timebox closes its sprint; and which failed writes end as
refused instead of being retried."""

from __future__ import annotations

import pytest

from bot.domain import tracker_sprints as sprints
from bot.domain.trackers import SprintState, TrackerError, TrackerErrorKind
from bot.usecases.tracker import refused_for_good


def test_a_sprint_closed_in_the_tracker_is_not_changed_there_any_more():
    closed = SprintState.CLOSED
    running = sprints.sprint_steps("active", closed, ["TB-1"], ["TB-2"], ["TB-1"])
    assert running == sprints.SprintSteps([], [], False, [], False)
    closing = sprints.sprint_steps("closed", closed, ["TB-1", "TB-3"], ["TB-2"], ["TB-3"])
    assert closing == sprints.SprintSteps([], [], False, ["TB-3"], False)


@pytest.mark.parametrize(
    ("kind", "final"),
    [
        (TrackerErrorKind.INVALID, True),  # an issue added to a completed cycle
        (TrackerErrorKind.NOT_FOUND, True),
        (TrackerErrorKind.CONFIG, False),  # fixed on the board: retried hourly
        (TrackerErrorKind.AUTH, False),  # breaks the connection instead
        (TrackerErrorKind.FORBIDDEN, False),
        (TrackerErrorKind.RATE_LIMITED, False),
        (TrackerErrorKind.UNAVAILABLE, False),
        (TrackerErrorKind.TIMEOUT, False),
    ],
)
def test_only_a_write_the_tracker_will_never_take_is_refused_for_good(kind, final):
    assert refused_for_good(TrackerError("no", kind=kind, status=400)) is final
