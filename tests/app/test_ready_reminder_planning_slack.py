"""The readiness reminder counts down to the planning as scheduled: a planning moved with
`/timebox calendar move` is named on its new day, and the last two working days before that
day are the loud ones. Each item owner is pinged once, by direct message."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_calendar_slack import say
from tests.app.test_ready_slack import at, bot_posts, make_team, ready
from tests.conftest import CHANNEL, DEV2, PO


async def test_a_moved_planning_is_the_one_the_reminder_counts_down_to(slack):
    await make_team(slack, ["Export invoices"])
    await say(slack, "/timebox", "settings start 2026-03-09", user=PO)
    await say(slack, "/planning", "schedule 10:00", user=PO)
    moved = shown(await say(slack, "/timebox", "calendar move mon to 2026-03-10 10:00", user=PO))
    assert "_(moved)_" in moved, moved
    await ready(slack, "remind at 09:30")
    # Thursday 5 March: Thu, Fri and Mon are left before Tuesday's planning.
    await at(slack, datetime(2026, 3, 5, 8, 30, tzinfo=UTC))
    calm = shown(bot_posts(slack)[-1])
    assert "(next sprint planning: Tuesday 10 March)" in calm, calm
    assert f"<@{PO}>" not in calm
    await at(slack, datetime(2026, 3, 6, 8, 30, tzinfo=UTC))  # Friday: Fri and Mon are left
    urgent = shown(bot_posts(slack)[-1])
    assert f"<@{PO}>: sprint planning is Tuesday 10 March" in urgent, urgent
    # Monday 9 March, the sprint's first day: the planning is still to come, tomorrow.
    await at(slack, datetime(2026, 3, 9, 8, 30, tzinfo=UTC))
    assert "sprint planning is Tuesday 10 March" in shown(bot_posts(slack)[-1])


async def test_the_urgent_reminder_pings_an_owner_once_and_counts_its_items(slack):
    await make_team(slack, ["Export invoices"])
    await backlog(slack, "edit 1", user=DEV2)
    await slack.driver.submit(slack.emulator.open_view(DEV2), {"Owner": DEV2}, user=DEV2)
    await say(slack, "/timebox", "settings start 2026-03-09", user=PO)
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 3, 5, 8, 30, tzinfo=UTC))
    post = bot_posts(slack)[-1]
    said = shown(post)
    assert "This item will not be plannable unless it is fixed first:" in said, said
    assert "these 1 item" not in said.lower()
    assert f"<@{DEV2}>" not in said, "the owner's ping is the direct message"
    assert "owner sent a direct message" in said
    [dm] = slack.emulator.dms(DEV2)
    assert "Export invoices" in shown(dm) and f"<#{CHANNEL}>" in shown(dm)
