"""An async estimation poll across a weekend and the change to summer time (Europe,
Sunday 29 March 2026), through a restart and Slack failing at its deadline: the deadline is
read in the team's zone, reminders reach each voter in their own daytime on a day the team
works, the deadline closes it once and the results are posted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_poker_faults import quick_retries  # noqa: F401  (a fixture)
from tests.app.test_poker_slack import board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3, PO, SM

FRIDAY = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)  # 16:00 in Berlin, winter time
DEADLINE = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)  # Monday 17:00 in Berlin, summer time
ZONES = {DEV1: "Asia/Kolkata", DEV2: "Europe/London", DEV3: "Australia/Sydney"}


def sent(slack: LocalStack, user: str) -> list[datetime]:
    return [datetime.fromtimestamp(float(m.ts), UTC) for m in slack.emulator.dms(user)]


async def test_a_weekend_poll_over_summer_time_reminds_by_day_and_closes_once(
    slack,
    db,
    clock,
    quick_retries,  # noqa: F811
):
    clock.set(FRIDAY)
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 until mon 17:00")
    assert "read as Monday 30 March 17:00 Europe/Berlin" in shown(board(slack))
    await vote(slack, DEV1, "5")

    stack, restarted, now = slack, None, FRIDAY
    try:
        while now < DEADLINE + timedelta(hours=1):
            now += timedelta(minutes=30)
            if now == datetime(2026, 3, 29, 1, 0, tzinfo=UTC):  # the clocks go forward
                restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
                stack = restarted
            if now == DEADLINE:  # Slack fails the results at the deadline, then takes them
                slack.emulator.fail_next("chat.postMessage", status=500, times=6)
            clock.set(now)
            await stack.services.jobs.run_due()
            await stack.settle()
        for user, zone in ZONES.items():
            for when in sent(slack, user):
                local = when.astimezone(ZoneInfo(zone))
                assert local.weekday() < 5 and 8 <= local.hour < 20, (user, local)
            assert all(FRIDAY < when < DEADLINE for when in sent(slack, user))
        assert sent(slack, DEV2), "London is reminded on Monday"
        assert sent(slack, SM) == [] and sent(slack, PO) == [], "who does not vote is left alone"
        assert any(c.http_status == 500 for c in slack.emulator.calls), "Slack did fail"
        results = replies(slack, board(slack))
        assert len(results) == 2, [shown(r)[:80] for r in results]
        assert "voting closed, 1 vote" in shown(results[0])
        assert "Revealed" in shown(board(slack))
    finally:
        if restarted is not None:
            await restarted.stop()
