"""An async poll's header through the real app: once its deadline has passed and an item is
voted on again, the header says when the re-vote closes (as a Slack date, in each reader's own
time zone), never the first deadline, which is past."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, SM


def header(message: Any) -> str:
    """The poll's intro line, under its title (the row bodies say their own deadlines)."""
    return message.blocks[1]["elements"][0]["text"]


def date_token(when: datetime) -> str:
    return f"<!date^{int(when.timestamp())}^"


async def test_the_header_shows_the_re_votes_deadline_not_the_first_one_which_has_passed(slack):
    await setup_team(slack, "Export invoices", "Import payments")
    slack.clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))  # Wednesday, 10:00 in Berlin
    await poker(slack, "async 1 2 until fri 17:00")
    first = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # Friday 17:00 in Berlin
    assert f"closes {date_token(first)}" in header(board(slack))
    await vote(slack, DEV1, "3")
    await vote(slack, DEV2, "8")
    assert await at(slack, first) >= 1
    assert "closes" not in header(board(slack))  # nothing is open: no deadline to show
    result = next(m for m in replies(slack, board(slack)) if "poker-decide" in str(m.blocks))
    slack.clock.set(datetime(2026, 3, 6, 16, 46, tzinfo=UTC))
    await slack.driver.click("Re-vote", user=SM, message=result)
    tuesday = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # two working days on, 17:00 in Berlin
    shown = header(board(slack))
    assert f"closes {date_token(tuesday)}" in shown, shown
    assert date_token(first) not in shown
