"""The daily readiness reminder follows a change of the team's time zone at once: the next one
comes at its time in the new zone. Before, the one planned in the old zone still fired first
(17:30 in Tokyo for a 09:30 set in Berlin)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at, bot_posts, make_team, ready
from tests.conftest import PO


async def test_a_new_time_zone_moves_the_next_reminder_to_its_hour_there(slack):
    await make_team(slack, ["Export invoices"], set())
    await ready(slack, "remind at 09:30")  # Mon 2 Mar 2026, 10:00 in Berlin
    await cmd(slack, "/timebox", "settings timezone Asia/Tokyo", PO)
    assert await at(slack, datetime(2026, 3, 3, 0, 29, tzinfo=UTC)) == 0
    await at(slack, datetime(2026, 3, 3, 0, 30, tzinfo=UTC))  # Tue 09:30 in Tokyo
    assert len(bot_posts(slack)) == 1, "Tuesday's reminder, at 09:30 in Tokyo"
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # 09:30 in Berlin
    assert len(bot_posts(slack)) == 1, "none at the old zone's hour"
