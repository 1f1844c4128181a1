"""A meeting left open overnight: once it has stood open past the time Timebox
ends a meeting nobody ends (`forgotten_at`), it is over, whether or not its timer has run
yet (the bot was down overnight, or its scheduler has not swept since the restart). A new
meeting started then in the same channel is not refused as "already running": the old one is
ended as Timebox would have ended it (its minutes say so, counting no time after that, in its
own thread, with the channel's notice once), and the new one starts."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import shown
from tests.app.test_meeting_forgotten_slack import ENDED_BY_TIMEBOX, channel_notices
from tests.app.test_planning_slack import cmd
from tests.app.test_refine_slack import refine, setup_team
from tests.conftest import CHANNEL, SM


def agenda_cards(slack) -> list:
    return [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and m.blocks[0].get("type") == "header" and not m.thread_ts
    ]


async def test_a_start_the_morning_after_ends_yesterdays_forgotten_meeting_and_starts(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")
    slack.clock.advance(timedelta(hours=15))  # overnight, and no timer has run since

    await cmd(slack, "/planning", "start 1h", SM)
    cards = agenda_cards(slack)
    assert len(cards) == 2, [shown(c)[:80] for c in cards]
    old, new = cards
    assert "Sprint planning" in shown(new) and "ended" not in shown(new).split("\n")[0]
    assert "Backlog refinement · ended" in shown(old), shown(old)[:200]

    replies = slack.emulator.thread(CHANNEL, old.ts)[1:]
    minutes = [shown(m) for m in replies if "*Minutes of the Backlog refinement*" in shown(m)]
    assert len(minutes) == 1, [shown(m)[:80] for m in replies]
    assert "(60 min of 30 planned)" in minutes[0], minutes[0][:200]
    assert f"{ENDED_BY_TIMEBOX} 30 min past its timebox" in minutes[0]

    await slack.services.jobs.run_due()  # the old meeting's timers, late: nothing more
    await slack.settle()
    assert len(channel_notices(slack)) == 1, channel_notices(slack)
    replies = slack.emulator.thread(CHANNEL, old.ts)[1:]
    assert sum("*Minutes of the " in shown(m) for m in replies) == 1
