"""An async poll's reminders through the real app and the Slack emulator: half time is half of
the poll's working time, and each voter's direct message comes in their own day, in the time
zone of their Slack profile: a voter in Tokyo is reminded at 08:00 their time, not at night."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import at, board, poker, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3

TOKYO = ZoneInfo("Asia/Tokyo")


def sent_at(message: object) -> datetime:
    return datetime.fromtimestamp(float(message.ts), UTC)  # type: ignore[attr-defined]


async def test_a_tokyo_voter_is_reminded_in_their_morning_not_at_night(slack):
    slack.emulator.users[DEV3]["tz"] = "Asia/Tokyo"  # DEV2 is in London
    await setup_team(slack)
    await poker(slack, "async 1 for 24h")  # Monday 09:00 UTC to Tuesday 09:00 UTC
    await vote(slack, DEV1, "3")
    # Half of the working time (Monday 09:00-20:00 and Tuesday 08:00-09:00 here): 15:00 UTC.
    await at(slack, datetime(2026, 3, 2, 14, 59, tzinfo=UTC))
    assert slack.emulator.dms(DEV2) == [] and slack.emulator.dms(DEV3) == []
    await at(slack, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    assert len(slack.emulator.dms(DEV2)) == 1, "15:00 in London: their day"
    assert slack.emulator.dms(DEV3) == [], "midnight in Tokyo: not now"
    await at(slack, datetime(2026, 3, 2, 21, 0, tzinfo=UTC))  # the clock's half time
    assert slack.emulator.dms(DEV3) == [], "06:00 in Tokyo: still night"
    await at(slack, datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    [dm] = slack.emulator.dms(DEV3)
    assert f"{sent_at(dm).astimezone(TOKYO):%a %H:%M}" == "Tue 08:00"
    assert slack.emulator.dms(DEV1) == [], "who voted is left alone"
    await at(slack, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # an hour before: day for both
    assert len(slack.emulator.dms(DEV2)) == 2 and len(slack.emulator.dms(DEV3)) == 2
    await at(slack, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    assert len(slack.emulator.dms(DEV3)) == 2, "once each"


async def test_a_deadline_on_a_day_off_is_taken_with_a_note(slack):
    await setup_team(slack)
    answer = await poker(slack, "async 1 until sun 17:00")
    assert "closes" in shown(board(slack)), "the poll started"
    text = shown(answer)
    assert "Sunday 8 March" in text and "not one of the team's working days" in text, text


async def test_a_deadline_on_a_working_day_has_no_note(slack):
    await setup_team(slack)
    assert await poker(slack, "async 1 until fri 17:00") is None
