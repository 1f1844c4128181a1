"""An async poll's two reminders, both overdue after the bot was down, reach each
voter once, not twice in the same second.

A 24-hour poll reminds who has not voted at half time and an hour before its deadline. With
the bot down over both moments and back before the deadline, both reminders' rows are due
at once: each ran, and every voter got the same "You have not voted yet" message twice in
the same second."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import at, poker, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3

BACK = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)  # half an hour before the 09:00 UTC deadline


def reminders_of(slack, user: str) -> list[str]:
    return [shown(m) for m in slack.emulator.dms(user) if "not voted yet" in shown(m)]


async def test_down_from_the_start_both_overdue_reminders_reach_a_voter_once(slack):
    """The bot went down within the poll's first minute (both reminders' rows still at their
    first run) and is back at 08:30 UTC, before the 09:00 deadline: one reminder each."""
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")  # Mon 09:00 UTC: closes Tue 09:00 UTC
    await vote(slack, DEV1, "5")
    await at(slack, BACK)
    await at(slack, BACK.replace(second=30))
    assert reminders_of(slack, DEV1) == [], "voted: left alone"
    assert [len(reminders_of(slack, u)) for u in (DEV2, DEV3)] == [1, 1]


async def test_down_after_the_first_minute_both_overdue_reminders_reach_a_voter_once(slack):
    """The reminders' rows had moved to the voters' moments (the bot ran a minute in) before
    it went down; back at 08:30 UTC: still one reminder each."""
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")
    await at(slack, datetime(2026, 3, 2, 9, 1, tzinfo=UTC))  # the reminders plan themselves
    await at(slack, BACK)
    await at(slack, BACK.replace(second=30))
    assert [len(reminders_of(slack, u)) for u in (DEV1, DEV2, DEV3)] == [1, 1, 1]


async def test_a_voter_reminded_at_half_time_still_gets_the_last_call_an_hour_before(slack):
    """The fix takes nothing away: with the bot up, the half-time reminder and the last call
    an hour before the deadline each come (DEV2, in London: 15:00 and 08:00 UTC)."""
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")
    await at(slack, datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    assert len(reminders_of(slack, DEV2)) == 1
    await at(slack, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assert len(reminders_of(slack, DEV2)) == 2
