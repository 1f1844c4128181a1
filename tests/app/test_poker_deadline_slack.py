"""An async poll's deadline through the real app: a default 24-hour poll keeps its length to
the second (the clock's fraction of a second is no part of it), so its re-vote closes on the
team's next working day at the first deadline's time of day, never over a weekend; and a
deadline typed as a time says in which zone it was read."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_poker_revote_deadline_slack import date_token, header
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, SM

READ_AS = "read as Friday 11 December 17:00 Europe/Berlin (the team's time zone)"


async def test_a_24_hour_polls_re_vote_on_a_saturday_closes_on_monday_not_sunday(slack):
    await setup_team(slack, "Export invoices")
    slack.clock.set(datetime(2026, 12, 11, 8, 6, 0, 250_000, tzinfo=UTC))  # a Friday
    await poker(slack, "async 1 for 24h")
    first = datetime(2026, 12, 12, 8, 6, tzinfo=UTC)  # Saturday
    assert f"closes {date_token(first)}" in header(board(slack))
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [poll] = await store.open_polls(team.id)
        assert poll.duration_s == 24 * 3600, "the length asked for, to the second"
    await vote(slack, DEV1, "3")
    await vote(slack, DEV2, "8")
    assert await at(slack, first) >= 1
    result = next(m for m in replies(slack, board(slack)) if "poker-decide" in str(m.blocks))
    slack.clock.set(datetime(2026, 12, 12, 8, 10, 0, 500_000, tzinfo=UTC))
    await slack.driver.click("Re-vote", user=SM, message=result)
    monday = datetime(2026, 12, 14, 8, 6, tzinfo=UTC)  # the next working day, 09:06 in Berlin
    shown = header(board(slack))
    assert f"closes {date_token(monday)}" in shown, shown
    assert "read as" not in shown, "a deadline nobody typed needs no reading"


async def test_a_typed_deadline_says_in_which_zone_it_was_read(slack):
    await setup_team(slack, "Export invoices", "Import payments")
    slack.clock.set(datetime(2026, 12, 9, 9, 0, 0, 250_000, tzinfo=UTC))  # a Wednesday
    await poker(slack, "async 1 until fri 17:00")
    friday = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
    shown = header(board(slack))
    assert f"closes {date_token(friday)}" in shown and READ_AS in shown, shown
    await vote(slack, DEV1, "3")
    assert READ_AS in header(board(slack)), "the board keeps saying it as it is redrawn"
    await poker(slack, "async 2 for 2h")
    assert "read as" not in header(board(slack)), "a length, not a time: nothing to read"
