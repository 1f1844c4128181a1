"""Plannings are named by the sprint they will plan, the one `/sprint` shows: a sprint opened
and planned late catches up to the slot holding its day keeping its number, so the reminder,
the calendar feed and `/sprint` agree (not the calendar grid's count of slots). And the App
Home shows the refinement budget of the sprint the team is in or about to start, not of one
closed early. Through the real app and the Slack emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_calendar_slack import _feed_url, _get, say
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import cmd, setup
from tests.app.test_ready_slack import at
from tests.app.test_sprint_ahead_slack import WED_2_DEC, sprint_3_committed_ahead
from tests.conftest import CHANNEL, DEV1, PO, SM


async def _feed_plannings(slack, url: str) -> dict[date, str]:
    status, _, body = await _get(slack, url)
    assert status == 200
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return {
        e["DTSTART"].dt.date(): str(e["SUMMARY"])
        for e in events
        if str(e["SUMMARY"]).startswith(("Sprint planning", "Sprint "))
        and "planning" in str(e["SUMMARY"])
    }


async def test_a_sprint_planned_late_is_the_one_its_reminder_and_the_feed_name(slack):
    """Sprint 1 opened on Wed 2 Dec (the calendar starts then) and not committed: four weeks
    on, the planning of Wed 30 Dec plans sprint 1 (the grid's third slot), the one `/sprint`
    shows; the feed names the next one, Wed 13 Jan, sprint 2."""
    await setup(slack)
    await at(slack, WED_2_DEC)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "schedule 09:00", PO)
    url = _feed_url(await say(slack, "/timebox", "calendar feed", user=PO))
    posts = len(slack.emulator.messages(CHANNEL))
    for day in (16, 30):
        await at(slack, datetime(2026, 12, day, 7, 55, tzinfo=UTC))  # 08:55 in Berlin
    called = [shown(m) for m in slack.emulator.messages(CHANNEL)[posts:]]
    said = [m for m in called if "*Sprint planning*" in m]
    assert len(said) == 2, called
    assert all("for sprint 1 " in m for m in said), said

    await cmd(slack, "/sprint", "", SM)
    card = shown(last_ephemeral(slack, SM))
    assert "Sprint 1 (being planned)" in card, card
    plannings = await _feed_plannings(slack, url)
    assert plannings[date(2027, 1, 13)] == "Sprint planning · Sprint 2", plannings
    assert plannings[date(2027, 1, 27)] == "Sprint planning · Sprint 3", plannings


async def test_home_shows_the_budget_of_the_sprint_about_to_start_not_of_the_one_closed(slack):
    """Sprint 2 closed early on Wed 2 Dec, sprint 3 committed ahead of its slot (Mon 14 Dec):
    Home names sprint 3's budget, with no warning; sprint 2's is history."""
    await sprint_3_committed_ahead(slack)
    on_home = await home(slack, DEV1)
    assert "Refinement budget, sprint 3:" in on_home, on_home
    assert "Refinement budget, sprint 2" not in on_home, on_home
    assert ":warning: *Refinement budget" not in on_home, on_home
