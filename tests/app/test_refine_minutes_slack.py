"""A refinement's minutes: they say what the session did to the backlog, and that
includes the items added while it ran (a story split in the deep dive, an item someone
remembered): each by its number and title, so the team finds them after the session. An
item added before the session began is no part of it."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog
from tests.app.test_meeting_record_slack import minutes_of
from tests.app.test_refine_slack import refine, setup_team, tick
from tests.conftest import DEV1


async def test_the_minutes_name_the_items_added_during_the_session(slack):
    await setup_team(slack)  # #1-#3, before the session
    await tick(slack, 1)
    await refine(slack, "start 30m")
    await tick(slack, 2)
    await backlog(slack, "add Export invoices as PDF", user=DEV1)  # #4
    await backlog(slack, "add Export invoices as CSV", user=DEV1)  # #5
    await tick(slack, 2)
    await refine(slack, "end")
    minutes = await minutes_of(slack)
    assert "*Added:* 2 (#4 Export invoices as PDF, #5 Export invoices as CSV)" in minutes, minutes
    assert "#1 Checkout redesign" not in minutes


async def test_minutes_of_a_session_that_added_nothing_say_so(slack):
    await setup_team(slack)
    await tick(slack, 1)
    await refine(slack, "start 30m")
    await refine(slack, "end")
    assert "*Added:* 0" in await minutes_of(slack)
