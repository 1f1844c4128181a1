"""A re-vote on an async poll through the real app: it closes inside the team's working week,
at the first deadline's time of day, not the first round's length in hours from the click."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, SM


async def test_a_re_vote_after_a_friday_close_ends_on_a_working_day_at_the_same_hour(slack):
    await setup_team(slack)
    slack.clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))  # Wednesday, 10:00 in Berlin
    await poker(slack, "async 1 until fri 17:00")
    await vote(slack, DEV1, "3")
    await vote(slack, DEV2, "8")
    assert await at(slack, datetime(2026, 3, 6, 16, 0, tzinfo=UTC)) >= 1  # Friday 17:00
    [result] = replies(slack, board(slack))
    slack.clock.set(datetime(2026, 3, 6, 16, 46, tzinfo=UTC))
    await slack.driver.click("Re-vote", user=SM, message=result)
    tuesday = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # two working days on, 17:00 in Berlin
    async with slack.db.transaction() as store:
        due = [job.due_at for job in await store.pending("poker_deadline")]
    assert due == [tuesday], due
    assert f"closes <!date^{int(tuesday.timestamp())}^" in str(board(slack).blocks)
