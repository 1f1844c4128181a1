"""The readiness reminder after a sprint is committed: the planning it warns about is the next
one, never the one just held that morning."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import commit_sprint, setup
from tests.app.test_ready_slack import at, bot_posts, ready
from tests.conftest import CHANNEL, PO


async def test_the_morning_after_its_planning_the_reminder_counts_down_to_the_next_one(slack):
    slack.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # Thursday
    await setup(slack)  # #4 is not ready
    for setting in ("sprint 1w", "start 2026-12-07", "timezone Europe/Madrid"):
        await slack.driver.command("/timebox", f"settings {setting}", user=PO, channel=CHANNEL)
    await ready(slack, "remind at 09:30 mon-fri")
    slack.clock.set(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday 09:00 in Madrid
    await commit_sprint(slack, 1)
    seen = len(bot_posts(slack))
    await at(slack, datetime(2026, 12, 7, 8, 30, tzinfo=UTC))  # 09:30 in Madrid
    said = [shown(m) for m in bot_posts(slack)[seen:] if "sprint planning" in shown(m)]
    assert said, "the unready item is still in the horizon: a reminder is owed"
    assert not any("Monday 07 December" in s for s in said), said
    assert "(next sprint planning: Monday 14 December)" in said[-1], said
    assert f"<@{PO}>" not in said[-1], "five working days are left: not the loud one"
