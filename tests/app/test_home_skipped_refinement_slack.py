"""The Home tab does not announce a refinement the team's calendar skipped, though the last
refinement agreed on that day for the next session."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_calendar_slack import say
from tests.app.test_home_slack import home, setup_sprint
from tests.conftest import DEV1


async def test_home_does_not_announce_a_refinement_the_team_skipped(slack):
    """The last refinement agreed on Thu 12 Mar; refinements are scheduled on Thursdays at
    14:00 and the Scrum Master skips the one of Thu 12 Mar: on Monday 9 Mar, Diana's Home
    tab does not say "Next refinement Thu 12 Mar" (it will not take place)."""
    await setup_sprint(slack)  # its past refinement agreed on 2026-03-12 as the next session
    await say(slack, "/refine", "schedule thu 14:00")
    skipped = await say(slack, "/timebox", "calendar skip 2026-03-12")
    assert "Skipped" in str(skipped.blocks)
    slack.clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    shown = await home(slack, DEV1)
    assert "Next refinement Thu 12 Mar" not in shown, shown
