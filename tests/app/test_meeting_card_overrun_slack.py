"""The meeting card (the agenda message in the channel) while a section runs over: what it says
of the overrun and of the minutes run is true whenever it is read, as `/refine status` says,
because Timebox redraws it each minute while over time, and only then: never while a section
is within its time, and not past the moment it ends a meeting nobody ends."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_refine_slack import agenda_message, refine, setup_team, tick
from tests.conftest import SM


def card_updates(slack) -> int:
    return len(slack.emulator.calls_to("chat.update"))


async def test_the_card_of_a_section_over_time_says_what_the_status_says(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")  # kick-off 3, triage 10, deep dive 12, wrap-up 5
    await refine(slack, "next")
    await refine(slack, "next")
    drawn = card_updates(slack)
    for _ in range(11):
        await tick(slack, 1)  # 11 minutes into a 12-minute deep dive
    assert card_updates(slack) == drawn + 1, "within its time only its warning redraws it"
    await tick(slack, 1.25)
    assert ":alarm_clock: 1 min over" in shown(agenda_message(slack))
    for _ in range(28):
        await tick(slack, 1)
    card = shown(agenda_message(slack))
    await refine(slack, "status")
    status = shown(last_ephemeral(slack, SM))
    assert "*Deep dive* · 12 min · :alarm_clock: 29 min over" in status, status
    assert "section 3 of 4 · 40 min of 30 ·" in status, status
    assert "*Deep dive* · 12 min · :alarm_clock: 29 min over" in card, card
    assert "section 3 of 4 · 40 min of 30 ·" in card, card


async def test_over_time_the_card_is_redrawn_once_a_minute_until_the_meeting_ends(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")
    await refine(slack, "next")
    await refine(slack, "next")
    await tick(slack, 12.25)
    drawn = card_updates(slack)
    await tick(slack, 10)  # one jump: one redraw, not one per minute missed
    assert card_updates(slack) == drawn + 1
    assert ":alarm_clock: 11 min over" in shown(agenda_message(slack))
    for _ in range(40):  # the timebox ends at 30 min; Timebox ends the meeting at 60
        await tick(slack, 1)
    board = shown(agenda_message(slack))
    assert "Backlog refinement · ended" in board, board
    updates = card_updates(slack)
    for _ in range(5):
        await tick(slack, 1)
    assert card_updates(slack) == updates, "an ended meeting's card is not redrawn"
