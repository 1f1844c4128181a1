# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A GitHub iteration Timebox makes holds the sprint's own days in the team's zone, wherever
that zone is: its first day is the sprint's first day and its last the sprint's last working
day, through the real app and the GitHub emulator. East of UTC+9, 09:00 on the first morning is
still the day before in UTC; the iteration does not start (and end) a day early for it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import sprints as sprint_rules
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import cmd
from tests.app.test_tracker_reopen import TRACKERS
from tests.app.test_tracker_sync import running_sprint
from tests.app.trackers import WORKSPACE, drain
from tests.conftest import CHANNEL, PO


@pytest.mark.parametrize("zone", ["Australia/Sydney", "Pacific/Auckland", "America/Los_Angeles"])
async def test_the_iteration_holds_the_sprints_local_days(slack, github, zone):
    tracker = TRACKERS["github"]
    keys = tracker.seed(github)
    await tracker.connect(slack, github)
    await cmd(slack, "/timebox", f"settings timezone {zone}", PO)
    await drain(slack)
    sprint_id = await running_sprint(slack, keys[:1])
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        assert team.timezone == zone
        sprint = await store.sprint_by_id(sprint_id)
        last = sprint_rules.last_day(team, sprint)
    [iteration] = github._iteration_field().iterations
    assert iteration.start == sprint.starts_on, (iteration.start, sprint.starts_on)
    assert iteration.start + timedelta(days=iteration.duration - 1) == last, (
        iteration.start,
        iteration.duration,
        last,
    )
