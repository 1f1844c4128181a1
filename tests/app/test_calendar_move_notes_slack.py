"""`/timebox calendar move` says what a move did beyond the move: it lands on a public holiday
or a day off, or it brought back a skipped session; the day it moves to is named in the same
forms as the session (a weekday too: the nearest one to the session's day)."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_days_slack import changes
from tests.app.test_calendar_slack import say, team


async def test_a_move_onto_a_holiday_or_a_day_off_is_pointed_out(slack):
    await team(slack)  # Germany's holidays: Good Friday is 3 April 2026
    await say(slack, "/refine", "schedule wed 14:00")
    moved = shown(await say(slack, "/timebox", "calendar move 2026-04-01 to 2026-04-03 15:00"))
    assert "Moved" in moved and "Good Friday" in moved and "public holiday" in moved, moved
    moved = shown(await say(slack, "/timebox", "calendar move 2026-03-11 to 2026-03-14 15:00"))
    assert "not one of the team's working days" in moved, moved
    plain = shown(await say(slack, "/timebox", "calendar move 2026-03-18 to 16:00"))
    assert "Moved" in plain and "public holiday" not in plain and "working days" not in plain


async def test_moving_a_skipped_session_says_it_is_back(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    await say(slack, "/timebox", "calendar skip next")
    moved = shown(await say(slack, "/timebox", "calendar move 2026-03-04 to 16:00"))
    assert "It was skipped: moving it put it back on the calendar" in moved, moved
    assert await changes(slack) == {"2026-03-04": {"to": "2026-03-04T16:00"}}


async def test_a_session_moves_to_a_weekday_named_like_the_session(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    moved = shown(await say(slack, "/timebox", "calendar move wed to thu 15:00"))
    assert "Moved" in moved, moved
    await say(slack, "/timebox", "calendar move 2026-03-11 to mon")  # the Monday before it
    assert await changes(slack) == {
        "2026-03-04": {"to": "2026-03-05T15:00"},
        "2026-03-11": {"to": "2026-03-09T14:00"},
    }
    refused = shown(await say(slack, "/timebox", "calendar move 2026-03-18 to someday"))
    assert "`tue`" in refused and "`dec 10`" in refused, refused
