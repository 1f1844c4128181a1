"""An async poll's deadline is its end, even when the bot could not close it on time.

The poll says "closes 11:00". When the deadline job has not run yet (the bot was down over
the deadline, or is just back and its ticker has not reached the row), a card clicked after
11:00 was still counted: it could even complete the votes, so the round was revealed as
"everyone voted" with a vote cast after the poll closed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3

DEADLINE = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # `async 1 for 2h` at 09:00 UTC


async def test_a_card_clicked_after_the_deadline_is_refused_before_the_deadline_job_runs(slack):
    """A vote after the deadline is refused (and says the poll closed), even though the
    deadline's job has not run yet; the one cast in time is kept and the round is revealed
    at the deadline, with the vote cast in time only."""
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 2h")
    await vote(slack, DEV1, "8")
    slack.clock.set(datetime(2026, 3, 2, 11, 30, tzinfo=UTC))  # its job not run yet
    await vote(slack, DEV2, "13")
    refused = last_ephemeral(slack, DEV2).text
    assert "You voted" not in refused, refused
    assert "closed" in refused and "deadline" in refused, refused
    await vote(slack, DEV3, "13")
    assert "You voted" not in last_ephemeral(slack, DEV3).text
    assert replies(slack, board(slack)) == [], "no reveal by votes cast after the deadline"
    await at(slack, datetime(2026, 3, 2, 11, 31, tzinfo=UTC))
    [result] = replies(slack, board(slack))
    text = shown(result)
    assert "voting closed, 1 vote" in text, text
    assert f"`8` ▇ 1 · <@{DEV1}>" in text and "`13`" not in text, text


async def test_a_card_clicked_after_a_restart_past_the_deadline_is_refused(slack, db, clock):
    """The bot down over the deadline: a click on the old message reaching the restarted bot
    before its ticker runs the deadline's row is refused; the deadline then reveals the
    votes cast in time, once."""
    await setup_team(slack, "Export invoices")
    poll = (await poker(slack, "async 1 for 2h"), board(slack))[1]
    await vote(slack, DEV1, "8")
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        await restarted.driver.click("13", user=DEV2, message=poll)
        assert "You voted" not in last_ephemeral(slack, DEV2).text
        assert await restarted.services.jobs.run_due() >= 1
        await restarted.settle()
        [result] = replies(slack, poll)
        assert "voting closed, 1 vote" in shown(result), shown(result)
        assert f"`8` ▇ 1 · <@{DEV1}>" in shown(result)
        assert "`13`" not in shown(result), "the vote clicked after the deadline is not counted"
    finally:
        await restarted.stop()
