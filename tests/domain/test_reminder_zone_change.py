"""Whether the last readiness reminder counts for a local day is asked in the team's zone as it
is now: a reminder is the day's its due time falls on there, whatever date it had in the old
zone, and however late it was sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.reminders import sent_on
from storage.models import Reminder
from tests.domain.factories import team

MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def sent(day: date, at: datetime, due: datetime | None = None) -> Reminder:
    """A reminder of `day` (its date in the zone of then) sent at `at`, due then unless `due`."""
    return Reminder(team_id=7, day=day, due_at=due or at, sent_at=at, unready=1)


def test_in_the_same_zone_the_day_it_was_sent_for_has_had_its_one():
    berlin = team()
    tuesday = sent(TUE, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # 09:30 in Berlin
    assert sent_on(berlin, tuesday, TUE)
    assert not sent_on(berlin, tuesday, WED)
    assert not sent_on(berlin, None, TUE)


def test_one_sent_late_past_midnight_is_the_day_befores():
    berlin = team(remind_at="23:30")
    due = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)  # Tue 23:30 in Berlin
    late = sent(TUE, datetime(2026, 3, 3, 23, 15, tzinfo=UTC), due)  # Wed 00:15
    assert sent_on(berlin, late, TUE)
    assert not sent_on(berlin, late, WED)


def test_moved_east_new_yorks_monday_2330_is_tuesday_0030_in_halifax():
    """Due Monday 23:30 in New York, Tuesday 00:30 in Halifax: Halifax's Tuesday has had its
    one, though it was sent in the first hour of that day there (its record says Monday)."""
    monday = sent(MON, datetime(2026, 3, 3, 4, 30, tzinfo=UTC))
    halifax = team(timezone="America/Halifax", remind_at="23:30")
    assert sent_on(halifax, monday, TUE)
    assert not sent_on(halifax, monday, WED)


def test_one_kept_before_due_times_were_is_its_dates():
    """A record from before migration 0022 has no due time: its date says, as it always did."""
    kept = Reminder(team_id=7, day=TUE, sent_at=datetime(2026, 3, 3, 23, 15, tzinfo=UTC))
    assert sent_on(team(), kept, TUE)
    assert not sent_on(team(), kept, WED)


def test_moved_west_tokyos_tuesday_is_monday_in_los_angeles():
    tuesday = sent(TUE, datetime(2026, 3, 3, 0, 30, tzinfo=UTC))  # 09:30 in Tokyo
    los_angeles = team(timezone="America/Los_Angeles")  # Mon 16:30 there
    assert sent_on(los_angeles, tuesday, MON)
    assert not sent_on(los_angeles, tuesday, TUE)


def test_moved_west_berlins_tuesday_0030_is_monday_evening_in_new_york():
    tuesday = sent(TUE, datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    assert not sent_on(team(timezone="America/New_York"), tuesday, TUE)


def test_moved_west_with_the_same_date_it_stays_that_days():
    tuesday = sent(TUE, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # 03:30 in New York
    assert sent_on(team(timezone="America/New_York"), tuesday, TUE)


def test_moved_east_los_angeles_monday_is_tuesday_in_tokyo():
    monday = sent(MON, datetime(2026, 3, 2, 17, 30, tzinfo=UTC))  # Tue 02:30 in Tokyo
    tokyo = team(timezone="Asia/Tokyo")
    assert sent_on(tokyo, monday, TUE)
    assert not sent_on(tokyo, monday, WED)


def test_moved_east_berlins_tuesday_leaves_tokyos_wednesday_free():
    tuesday = sent(TUE, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # 17:30 in Tokyo
    tokyo = team(timezone="Asia/Tokyo")
    assert sent_on(tokyo, tuesday, TUE)
    assert not sent_on(tokyo, tuesday, WED)
