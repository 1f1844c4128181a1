"""An async poll's length is kept to the second, whatever fraction of a second it started at,
so a poll that ran a day re-votes over working days (`revote_deadline`), not as a poll of a
few hours would, which could close on a weekend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import poker
from storage.models import PokerPoll
from tests.domain.factories import team

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = datetime(2026, 12, 11, 8, 6, 0, 250_000, tzinfo=UTC)


def started(now: datetime, deadline: datetime) -> PokerPoll:
    request = poker.PollRequest("async", [1], ["D1"], "the channel's Developers", deadline)
    return poker.new_poll(team(poker={}), request, "S", now)


def test_a_day_long_poll_started_mid_second_lasts_a_day_and_re_votes_on_the_next_working_day():
    deadline = poker.resolve_deadline(FRIDAY, BERLIN, timedelta(hours=24))
    poll = started(FRIDAY, deadline)
    assert poll.duration_s == 24 * 3600
    saturday = datetime(2026, 12, 12, 8, 10, 0, 500_000, tzinfo=UTC)
    monday = datetime(2026, 12, 14, 8, 6, tzinfo=UTC)  # 09:06 in Berlin, as the first one
    assert poker.revote_deadline(poll, team(), saturday) == monday


def test_a_few_hours_poll_re_votes_for_as_many_hours_again():
    deadline = poker.resolve_deadline(FRIDAY, BERLIN, timedelta(hours=2))
    poll = started(FRIDAY, deadline)
    assert poll.duration_s == 2 * 3600
    later = datetime(2026, 12, 11, 11, 0, 0, 500_000, tzinfo=UTC)
    assert poker.revote_deadline(poll, team(), later) == datetime(2026, 12, 11, 13, 0, tzinfo=UTC)
