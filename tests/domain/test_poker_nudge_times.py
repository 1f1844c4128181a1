"""An async poll's reminders come at half of its working time (the team's working days, not
its weekends or holidays), and reach each voter in their own day (08:00 to 20:00 in their Slack
time zone): the QA report of a Spanish team with a voter in Tokyo, whose half-time reminder of
a re-vote from Friday to Tuesday came on Sunday (01:02 Monday in Tokyo), and whose last call
came on a Spanish public holiday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import poker, poker_nudges
from tests.domain.factories import team

MADRID = ZoneInfo("Europe/Madrid")
TOKYO = ZoneInfo("Asia/Tokyo")
SPAIN = team(timezone="Europe/Madrid", holiday_country="ES")

# The re-vote: clicked on Friday 4 December at 16:04 UTC, closing on Tuesday 8 December at
# 16:00 UTC (17:00 in Madrid), the Immaculate Conception, a public holiday in Spain.
REVOTE = datetime(2026, 12, 4, 16, 4, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
# The first poll: `until fri 17:00`, started on Wednesday 2 December.
STARTED = datetime(2026, 12, 2, 16, 12, tzinfo=UTC)
FRIDAY = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def local(when: datetime | None, tz: ZoneInfo) -> str:
    assert when is not None
    return f"{when.astimezone(tz):%a %d %H:%M}"


def test_half_time_is_half_of_the_working_time_not_of_the_clock():
    [(_, half), (_, last)] = poker_nudges.nudge_times(REVOTE, TUESDAY, SPAIN)
    # Friday 17:04-20:00 and Monday 08:00-20:00 in Madrid (Tuesday is a holiday): 14h56m
    assert local(half, MADRID) == "Mon 07 12:32", "not Sunday 17:02, the clock's midpoint"
    assert last == TUESDAY - timedelta(hours=1)
    clock = poker_nudges.nudge_times(REVOTE, TUESDAY)  # without the team: on the clock, as before
    assert local(clock[0][1], MADRID) == "Sun 06 17:02"


def test_no_reminder_comes_on_a_holiday_or_at_night_for_a_voter_in_madrid():
    half = poker_nudges.voter_nudge(SPAIN, MADRID, REVOTE, TUESDAY, "half")
    last = poker_nudges.voter_nudge(SPAIN, MADRID, REVOTE, TUESDAY, "last")
    assert local(half, MADRID) == "Mon 07 12:32"
    # an hour before the deadline is on the holiday: the end of the working day before it
    assert local(last, MADRID) == "Mon 07 20:00"


def test_the_tokyo_voter_hears_of_the_re_vote_in_their_day_once():
    half = poker_nudges.voter_nudge(SPAIN, TOKYO, REVOTE, TUESDAY, "half")
    # 20:32 in Tokyo is evening; their Tuesday is the team's holiday and their Wednesday
    # morning is after the deadline: the end of their Monday, before it
    assert local(half, TOKYO) == "Mon 07 20:00"
    assert poker_nudges.voter_nudge(SPAIN, TOKYO, REVOTE, TUESDAY, "last") is None, (
        "their last call would be the same moment: they have just been reminded"
    )


def test_the_tokyo_voter_is_reminded_in_the_morning_not_at_one():
    [(_, half), _] = poker_nudges.nudge_times(STARTED, FRIDAY, SPAIN)
    assert local(half, TOKYO) == "Fri 04 01:06", "the team's half time is night in Tokyo"
    mine = poker_nudges.voter_nudge(SPAIN, TOKYO, STARTED, FRIDAY, "half")
    assert local(mine, TOKYO) == "Fri 04 08:00", "their next morning, before the deadline"
    last = poker_nudges.voter_nudge(SPAIN, TOKYO, STARTED, FRIDAY, "last")
    # 00:00 on Saturday in Tokyo: the latest moment of their day before the deadline
    assert local(last, TOKYO) == "Fri 04 20:00"
    assert poker_nudges.voter_nudge(SPAIN, MADRID, STARTED, FRIDAY, "half") == half


def test_a_short_poll_in_the_day_keeps_both_reminders_where_they_were():
    start = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Thursday, 10:00 in Madrid
    deadline = start + timedelta(hours=1)
    same = poker_nudges.nudge_times(start, deadline, SPAIN)
    assert same == poker_nudges.nudge_times(start, deadline)
    half = poker_nudges.voter_nudge(SPAIN, MADRID, start, deadline, "half")
    last = poker_nudges.voter_nudge(SPAIN, MADRID, start, deadline, "last")
    assert (half, last) == (start + timedelta(minutes=30), start + timedelta(minutes=45))
    # an unknown zone is the team's
    assert poker_nudges.voter_nudge(SPAIN, None, start, deadline, "half") == half


def test_a_poll_wholly_in_a_voters_night_still_reminds_them():
    start = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 22:00 in Tokyo
    deadline = start + timedelta(hours=2)
    half = poker_nudges.voter_nudge(SPAIN, TOKYO, start, deadline, "half")
    assert half == start + timedelta(hours=1), "no day of theirs in it: no better moment"


def test_a_reminder_tells_each_voter_at_their_moment_and_then_runs_again():
    request = poker.PollRequest("async", [1], ["UMAD", "UTYO"], "named", FRIDAY)
    poll = poker.new_poll(SPAIN, request, "S", STARTED)
    poll.nudges = []
    key = poker_nudges.job_key(1, FRIDAY, "half")
    zones = {"UMAD": MADRID, "UTYO": TOKYO}
    owed = ["UMAD", "UTYO"]
    early = poker_nudges.plan_nudge(poll, SPAIN, key, owed, zones, STARTED, FRIDAY, STARTED)
    assert early.now == () and local(early.next, MADRID) == "Thu 03 17:06"
    madrid = poker_nudges.plan_nudge(poll, SPAIN, key, owed, zones, STARTED, FRIDAY, early.next)
    assert madrid.now == ("UMAD",) and local(madrid.next, TOKYO) == "Fri 04 08:00"
    poll.nudges = [poker_nudges.told_mark(key, "UMAD")]
    tokyo = poker_nudges.plan_nudge(poll, SPAIN, key, owed, zones, STARTED, FRIDAY, madrid.next)
    assert tokyo.now == ("UTYO",) and tokyo.next is None


def test_a_deadline_on_a_day_off_is_named_for_a_note():
    sunday = poker_nudges.deadline_day_off(SPAIN, datetime(2026, 12, 6, 16, 0, tzinfo=UTC))
    assert sunday == poker_nudges.DayOff(datetime(2026, 12, 6).date(), None)
    holiday = poker_nudges.deadline_day_off(SPAIN, TUESDAY)
    assert holiday == poker_nudges.DayOff(TUESDAY.date(), "Immaculate Conception")
    assert poker_nudges.deadline_day_off(SPAIN, FRIDAY) is None
