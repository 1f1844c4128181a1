"""The calendar feed shows sprints as they are: a committed sprint on its own dates (one planned
late starts the day it was planned), the sprint calendar's slots after it as planned, and no
sprint, nor planning, the team never held before its first."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import recurring_ical_events

from tests.app.test_calendar_slack import _feed_url, _get, say
from tests.app.test_planning_slack import commit_sprint, setup
from tests.conftest import PO


async def test_the_feed_shows_the_committed_sprint_on_its_dates_and_no_phantom_before_it(slack):
    await setup(slack)
    await say(slack, "/timebox", "settings start 2026-02-16", user=PO)  # slot 2: 2-15 March
    await say(slack, "/planning", "schedule 10:00", user=PO)
    slack.clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))  # planned two days late
    await commit_sprint(slack, 1)
    status, _, body = await _get(slack, _feed_url(await say(slack, "/timebox", "calendar feed")))
    assert status == 200
    calendar = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(date(2026, 1, 1), date(2026, 4, 1))
    days = {str(e["SUMMARY"]): e["DTSTART"].dt for e in events}
    assert not [s for s in days if "Sprint 1" in s], days  # the team never held sprint 1
    assert days["Sprint 2 starts"] == date(2026, 3, 4), days
    assert days["Sprint 2 ends"] == date(2026, 3, 13), days
    assert days["Sprint 3 starts"] == date(2026, 3, 16), days
    [second] = [e for e in events if e["SUMMARY"] == "Sprint 2 starts"]
    [third] = [e for e in events if e["SUMMARY"] == "Sprint 3 starts"]
    assert "PDF invoices" in second["DESCRIPTION"] and "Planned" not in second["DESCRIPTION"]
    assert "Planned by the sprint calendar" in third["DESCRIPTION"], third["DESCRIPTION"]
