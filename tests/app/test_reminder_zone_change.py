"""A change of the team's time zone after the day's readiness reminder was sent: one reminder a
local day of the new zone, at its time there, the day of the change included. A reminder counts
for the day it was due on in the new zone. Before, it counted for its date in the old zone: a
team moved west from Tokyo to Los Angeles lost its Tuesday (Tokyo's Tuesday reminder came on
Monday afternoon in Los Angeles)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at, bot_posts, make_team, ready
from tests.conftest import PO


async def _team_in(slack: LocalStack, zone: str) -> None:
    """A team with one unready item, in `zone`, reminded at 09:30 (set Mon 2 Mar 2026)."""
    await make_team(slack, ["Export invoices"], set())
    if zone != "Europe/Berlin":
        await cmd(slack, "/timebox", f"settings timezone {zone}", PO)
    await ready(slack, "remind at 09:30")


async def _tuesdays_sent_in_berlin(slack: LocalStack) -> None:
    await _team_in(slack, "Europe/Berlin")
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # Tue 09:30 in Berlin
    assert len(bot_posts(slack)) == 1, "Tuesday's, at 09:30 in Berlin"


async def _moves_to(slack: LocalStack, when: datetime, zone: str) -> None:
    await at(slack, when)
    await cmd(slack, "/timebox", f"settings timezone {zone}", PO)


async def test_west_to_yesterdays_date_the_new_zones_day_still_gets_its_reminder(slack):
    await _team_in(slack, "Asia/Tokyo")
    await at(slack, datetime(2026, 3, 3, 0, 30, tzinfo=UTC))  # Tue 09:30 in Tokyo
    assert len(bot_posts(slack)) == 1, "Tuesday's in Tokyo (Mon 16:30 in Los Angeles)"
    await _moves_to(slack, datetime(2026, 3, 3, 1, 0, tzinfo=UTC), "America/Los_Angeles")
    assert await at(slack, datetime(2026, 3, 3, 17, 29, tzinfo=UTC)) == 0  # Mon 17:00 there
    await at(slack, datetime(2026, 3, 3, 17, 30, tzinfo=UTC))  # Tue 09:30 in Los Angeles
    assert len(bot_posts(slack)) == 2, "Tuesday in Los Angeles has had none yet"
    await at(slack, datetime(2026, 3, 3, 23, 0, tzinfo=UTC))
    assert len(bot_posts(slack)) == 2, "once"
    await at(slack, datetime(2026, 3, 4, 17, 30, tzinfo=UTC))  # Wed 09:30 in Los Angeles
    assert len(bot_posts(slack)) == 3, "Wednesday's"


async def test_west_with_the_time_still_ahead_no_second_one_that_day(slack):
    await _tuesdays_sent_in_berlin(slack)  # 03:30 in New York
    await _moves_to(slack, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), "America/New_York")
    await at(slack, datetime(2026, 3, 3, 14, 30, tzinfo=UTC))  # Tue 09:30 in New York
    await at(slack, datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1, "Tuesday in New York had its one, at 03:30"
    await at(slack, datetime(2026, 3, 4, 14, 29, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1
    await at(slack, datetime(2026, 3, 4, 14, 30, tzinfo=UTC))  # Wed 09:30 in New York
    assert len(bot_posts(slack)) == 2, "Wednesday's, at 09:30 in New York"


async def test_west_past_midnight_of_the_old_zone_the_new_zones_day_gets_its_reminder(slack):
    """00:30 in Berlin is still the evening before in New York."""
    await make_team(slack, ["Export invoices"], set())
    await ready(slack, "remind at 00:30")
    await at(slack, datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # Tue 00:30 in Berlin
    assert len(bot_posts(slack)) == 1, "Tuesday's in Berlin (Mon 18:30 in New York)"
    await _moves_to(slack, datetime(2026, 3, 3, 0, 0, tzinfo=UTC), "America/New_York")
    await at(slack, datetime(2026, 3, 3, 5, 30, tzinfo=UTC))  # Tue 00:30 in New York
    assert len(bot_posts(slack)) == 2, "Tuesday's in New York"


async def test_east_with_the_time_passed_none_again_that_day_and_the_next_days_comes(slack):
    await _tuesdays_sent_in_berlin(slack)  # 17:30 in Tokyo
    await _moves_to(slack, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), "Asia/Tokyo")
    await at(slack, datetime(2026, 3, 3, 9, 1, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 3, 14, 59, tzinfo=UTC))  # Tue 23:59 in Tokyo
    assert len(bot_posts(slack)) == 1, "Tuesday in Tokyo had its one"
    assert await at(slack, datetime(2026, 3, 4, 0, 29, tzinfo=UTC)) == 0
    await at(slack, datetime(2026, 3, 4, 0, 30, tzinfo=UTC))  # Wed 09:30 in Tokyo
    assert len(bot_posts(slack)) == 2, "Wednesday's, at 09:30 in Tokyo"
    await at(slack, datetime(2026, 3, 5, 0, 30, tzinfo=UTC))  # Thu 09:30 in Tokyo
    assert len(bot_posts(slack)) == 3


async def test_east_past_midnight_the_old_reminder_is_that_days_there(slack):
    """09:30 in Los Angeles is 02:30 the next day in Tokyo: that day had its one."""
    await _team_in(slack, "America/Los_Angeles")
    await at(slack, datetime(2026, 3, 2, 17, 30, tzinfo=UTC))  # Mon 09:30 in Los Angeles
    assert len(bot_posts(slack)) == 1, "Monday's in Los Angeles (Tue 02:30 in Tokyo)"
    await _moves_to(slack, datetime(2026, 3, 2, 18, 0, tzinfo=UTC), "Asia/Tokyo")
    await at(slack, datetime(2026, 3, 3, 0, 30, tzinfo=UTC))  # Tue 09:30 in Tokyo
    assert len(bot_posts(slack)) == 1, "not a second one on Tuesday in Tokyo"
    await at(slack, datetime(2026, 3, 4, 0, 30, tzinfo=UTC))  # Wed 09:30 in Tokyo
    assert len(bot_posts(slack)) == 2, "Wednesday's"
