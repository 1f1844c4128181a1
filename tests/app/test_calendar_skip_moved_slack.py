"""A session moved and then skipped keeps the time it was moved to: the skip's answer, the
calendar's listing and the stored change all name the moved time, and neither time reminds."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_days_slack import changes
from tests.app.test_calendar_slack import reminders, say, team
from tests.app.test_ready_slack import at

MOVED = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)  # 15:00 in Berlin
RULED = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 14:00 in Berlin, the rule's time


def _stamp(when: datetime) -> str:
    return f"<!date^{int(when.timestamp())}^"


async def test_a_moved_session_skipped_is_listed_at_its_moved_time(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    await say(slack, "/timebox", "calendar move next to 15:00")
    skipped = shown(await say(slack, "/timebox", "calendar skip mar 4"))
    assert "Skipped" in skipped and _stamp(MOVED) in skipped, skipped
    listing = shown(await say(slack, "/timebox", "calendar"))
    [row] = [line for line in listing.split('"text": ') if "_skipped_" in line]
    assert _stamp(MOVED) in row and _stamp(RULED) not in row, row
    assert await changes(slack) == {"2026-03-04": {"to": "2026-03-04T15:00", "skip": True}}
    await at(slack, datetime(2026, 3, 4, 12, 45, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 4, 13, 45, tzinfo=UTC))
    assert reminders(slack) == []
