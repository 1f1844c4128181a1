"""`/timebox calendar move` keeps a session near its own day, as the README promises: a
refinement between the one before it and the next one, a planning within the sprint it opens
(before its first day it would fall in the sprint before, still running). A move beyond is
refused with the days it may go to and what to type, and nothing changes."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_days_slack import changes
from tests.app.test_calendar_slack import say, team


async def refused(slack: LocalStack, move: str, *said: str) -> None:
    """`/timebox calendar move ...` is refused, its answer saying each of `said`."""
    answer = shown(await say(slack, "/timebox", f"calendar move {move}"))
    assert "Moved" not in answer and all(s in answer for s in said), answer


async def test_a_refinement_moved_months_ahead_is_refused_with_what_to_type(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")  # weekly: 4, 11, 18 March...
    window = "from Thu 5 Mar to Tue 17 Mar 2026"
    await refused(
        slack,
        "mar 11 to 2026-09-01 10:00",
        window,
        "`/timebox calendar move mar 11 to mar 12 10:00`",
    )
    await refused(slack, "mar 11 to mar 4 10:00", window)
    assert await changes(slack) == {}
    moved = shown(await say(slack, "/timebox", "calendar move mar 11 to mar 17 10:00"))
    assert "Moved" in moved, moved
    assert await changes(slack) == {"2026-03-11": {"to": "2026-03-17T10:00"}}


async def test_a_planning_moved_before_its_sprint_starts_is_refused(slack):
    await team(slack)
    await say(slack, "/timebox", "settings start 2026-03-02")  # two-week sprints
    await say(slack, "/planning", "schedule 10:00")  # sprint 2 opens Monday 16 March
    window = "from Mon 16 Mar to Sun 29 Mar 2026"
    example = "`/timebox calendar move planning mar 16 to mar 17 09:00`"
    before = "the sprint before, still running"
    await refused(slack, "planning mar 16 to mar 13 09:00", before, window, example)
    await refused(slack, "planning mar 16 to mar 30 09:00", "after that sprint has ended")
    assert "_(moved)_" not in shown(await say(slack, "/timebox", "calendar"))
    moved = shown(await say(slack, "/timebox", "calendar move planning mar 16 to mar 17 09:00"))
    assert "Moved" in moved and "_(moved)_" in moved, moved
