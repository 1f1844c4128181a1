"""The calendar feed keeps today's planning while it runs: a planning that started an hour ago
and is not committed yet is not a planning the team never held (those are left out only once
their day is over), through the real app and the Slack emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import recurring_ical_events

from tests.app.test_calendar_slack import _feed_url, _get, say
from tests.app.test_planning_slack import cmd, setup
from tests.conftest import PO


async def _plannings(slack, url: str) -> list[date]:
    status, _, body = await _get(slack, url)
    assert status == 200
    calendar = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(date(2026, 2, 1), date(2026, 4, 1))
    return sorted(e["DTSTART"].dt.date() for e in events if "planning" in str(e["SUMMARY"]))


async def test_a_planning_under_way_stays_in_the_feed_until_its_day_is_over(slack):
    await setup(slack)
    await say(slack, "/timebox", "settings start 2026-03-02", user=PO)  # slot 1 from today
    await say(slack, "/planning", "schedule 09:30", user=PO)
    slack.clock.set(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))  # 11:30 in Berlin: two hours in
    await cmd(slack, "/planning", "start 1h")
    url = _feed_url(await say(slack, "/timebox", "calendar feed"))

    assert date(2026, 3, 2) in await _plannings(slack, url)

    slack.clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))  # the next day, still not committed
    assert date(2026, 3, 2) not in await _plannings(slack, url)
