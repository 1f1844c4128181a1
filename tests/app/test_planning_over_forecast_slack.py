"""Sprint planning's What card when no ready item fits the forecast (a forecast of 0 after a
sprint with nothing done, or a top item larger than it): it names the top ready item as over
the forecast, to take or pass over, instead of saying nothing is ready."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.conftest import CHANNEL, PO


async def test_planning_after_a_sprint_with_nothing_done_does_not_say_nothing_is_ready(slack):
    """Sprint 1 closed early with nothing done: velocity 0, forecast 0, so no ready item fits
    the forecast; the What card names the top ready item as over it on its own (it said "No
    item is ready yet: refine first" while #1, #2 and #3 were ready at the top)."""
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    slack.clock.advance(timedelta(days=1))
    await close_sprint(slack, "No")
    slack.clock.advance(timedelta(days=13))
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "next")
    [card] = [
        shown(m) for m in slack.emulator.messages(CHANNEL) if "*What: selection.*" in shown(m)
    ]
    assert "No item is ready yet" not in card, card
    assert "The top ready item, #1 " in card and "over the forecast of 0 points" in card, card
