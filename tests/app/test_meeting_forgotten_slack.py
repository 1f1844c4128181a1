"""A meeting nobody ends, through the real app on an injected clock: Timebox ends it once it
has stood open past its timebox for its own planned length or an hour, whichever is shorter
(a pause: after a day), once, whatever restarts or instances; its minutes say so and count no
time after that; minutes and status read in whole minutes, the progress bar agrees with them,
and the board ticks only the sections reached."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_meeting_record_slack import minutes_of
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import CHANNEL, SM

ENDED_BY_TIMEBOX = "Nobody ended this meeting, so Timebox ended it"


def minutes_posts(slack: LocalStack) -> list[str]:
    return [shown(m) for m in thread(slack) if "*Minutes of the " in shown(m)]


def channel_notices(slack: LocalStack) -> list[str]:
    """The channel's own messages saying that a meeting ended (not its thread's)."""
    said = [m for m in slack.emulator.messages(CHANNEL) if not m.thread_ts]
    return [m.text for m in said if "its minutes are in the thread" in m.text]


async def status(slack: LocalStack) -> str:
    await refine(slack, "status")
    return shown(last_ephemeral(slack, SM))


async def test_a_refinement_left_open_is_ended_by_timebox_and_its_minutes_say_so(slack):
    """The QA report: started, moved to triage, left open overnight."""
    await setup_team(slack)
    await refine(slack, "start 30m")  # kick-off 3, triage 10, deep dive 12, wrap-up 5
    await refine(slack, "next")
    await tick(slack, 10)
    up = thread(slack)[-1]
    assert "Time is up for *Triage new items*" in shown(up)
    assert "If nobody ends it, Timebox ends the meeting at <!date^" in shown(up)

    await tick(slack, 49)  # 59 minutes: 29 past its 30-minute timebox, still running
    board = await status(slack)
    assert "*Triage new items* · 10 min · :alarm_clock: 49 min over" in board
    assert "section 2 of 4 · 59 min of 30 ·" in board
    assert "`" + "▓" * 20 + "`" in board, "59 of 30 minutes: the bar is full, not 9 of 20"

    await tick(slack, 1)  # its overrun reaches its own length: Timebox ends it
    minutes = await minutes_of(slack)
    assert "*Minutes of the Backlog refinement* (60 min of 30 planned)" in minutes
    assert f"{ENDED_BY_TIMEBOX} 30 min past its timebox" in minutes
    assert "• Kick-off: under a minute of 3" in minutes
    assert "• Triage new items: 60 min of 10" in minutes
    assert "• Deep dive: not reached (12 min planned)" in minutes
    assert not re.search(r"\d\.\d", minutes), "whole minutes"
    assert channel_notices(slack) == [
        "Nobody ended the Backlog refinement, so Timebox ended it after 60 min (30 planned): "
        "its minutes are in the thread."
    ]
    board = shown(agenda_message(slack))
    assert "Backlog refinement · ended" in board
    assert ":white_check_mark: ~Kick-off~ · 3 min (took under a minute)" in board
    assert ":white_check_mark: ~Triage new items~ · 10 min (took 60 min)" in board
    assert "· 12 min · not reached\\n:white_small_square: Wrap-up · 5 min · not reached" in board
    assert "~Deep dive~" not in board
    assert "~Wrap-up~" not in board
    assert "Ended by Timebox after 60 min (planned 30): nobody ended it." in board
    assert "The meeting has ended" in shown(slack.emulator.find_message(CHANNEL, up.ts))

    await tick(slack, 24 * 60)  # the next morning
    await refine(slack, "status")
    assert "No refinement session is running" in last_ephemeral(slack, SM).text
    await refine(slack, "end")
    assert "No refinement session is running" in last_ephemeral(slack, SM).text
    assert len(minutes_posts(slack)) == 1 and len(channel_notices(slack)) == 1
    await refine(slack, "history")
    assert "Backlog refinement, 60 min, ended by Timebox" in shown(last_ephemeral(slack, SM))


async def test_the_grace_is_an_hour_at_most(slack):
    await setup_team(slack)
    await refine(slack, "start 2h")
    await tick(slack, 179)
    assert "section 1 of 4 · 179 min of 120 ·" in await status(slack)
    await tick(slack, 1)
    minutes = await minutes_of(slack)
    assert "(180 min of 120 planned)" in minutes
    assert f"{ENDED_BY_TIMEBOX} 60 min past its timebox" in minutes


async def test_an_extension_gives_the_grace_again_from_its_own_end(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")
    await refine(slack, "next")
    await tick(slack, 59)
    await refine(slack, "extend 5m")  # triage now ends at minute 64
    await tick(slack, 34)
    assert "section 2 of 4 · 93 min of 35 (5 added) ·" in await status(slack)
    await tick(slack, 1)
    minutes = await minutes_of(slack)
    assert "(94 min of 30 planned, 5 added)" in minutes
    assert "• Triage new items: 94 min of 10 (+5 min extension)" in minutes


async def test_a_meeting_left_paused_is_ended_after_a_day_counting_only_its_running_time(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")
    await tick(slack, 2)
    await refine(slack, "pause")
    await tick(slack, 24 * 60 - 1)
    assert "paused with 1 min left" in await status(slack)
    await tick(slack, 1)
    minutes = await minutes_of(slack)
    assert "(2 min of 30 planned)" in minutes
    assert "Nobody resumed or ended this meeting for a day after it was paused" in minutes
    assert "• Kick-off: 2 min of 3" in minutes


async def test_a_step_after_the_time_it_was_due_to_end_ends_it_as_forgotten(slack):
    """Its timer is late (say, the bot was down): the facilitator's `next` the next morning
    finds it ended at its time, and the timer then posts nothing more."""
    await setup_team(slack)
    await refine(slack, "start 30m")
    await refine(slack, "next")
    slack.clock.advance(timedelta(hours=20))  # no job has run meanwhile
    await refine(slack, "next")
    minutes = await minutes_of(slack)
    assert "(60 min of 30 planned)" in minutes and ENDED_BY_TIMEBOX in minutes
    assert "• Deep dive: not reached (12 min planned)" in minutes
    await tick(slack, 1)
    assert len(minutes_posts(slack)) == 1 and len(channel_notices(slack)) == 1


async def test_a_restart_loses_no_auto_end_and_two_instances_end_it_once(slack, db, clock):
    await setup_team(slack)
    await refine(slack, "start 30m")
    await refine(slack, "next")
    await tick(slack, 5)
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        clock.advance(timedelta(hours=12))  # it was due to end while neither instance ran
        await asyncio.gather(slack.services.jobs.run_due(), restarted.services.jobs.run_due())
        for stack in (slack, restarted):
            await stack.services.jobs.run_due()
            await stack.settle()
        assert len(minutes_posts(slack)) == 1 and len(channel_notices(slack)) == 1
        assert "(60 min of 30 planned)" in minutes_posts(slack)[0]
        ups = [m for m in thread(slack) if "Time is up" in shown(m)]
        assert ups == [], "a time-up long past is not announced after the meeting ended"
    finally:
        await restarted.stop()
