"""A typed `next` never ends a meeting: in its last section it is answered privately that this
is the last section and that `end` (or the Finish button) ends it, so a repeated `next` - two
sent within a moment - cannot end the meeting unawares. A paused section over time reads as
over time, and an ended wrap-up card promises no date picker it no longer has."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import SM

LAST = "This is the last section: `/refine end` (or the Finish button) ends the meeting."


async def test_next_in_the_last_section_says_how_to_end_and_ends_nothing(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    for _ in range(3):
        await refine(slack, "next")
    assert ":arrow_forward: *Wrap-up*" in shown(agenda_message(slack))
    await refine(slack, "next")
    await refine(slack, "next")  # sent twice
    assert LAST in shown(last_ephemeral(slack, SM))
    card = shown(agenda_message(slack))
    assert ":arrow_forward: *Wrap-up*" in card and "· ended" not in card, card
    await refine(slack, "end")
    assert "Backlog refinement · ended" in shown(agenda_message(slack))


async def test_two_nexts_from_the_deep_dive_stop_at_the_wrap_up(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await refine(slack, "next")
    await refine(slack, "next")
    await refine(slack, "next")  # into Wrap-up
    await refine(slack, "next")  # the same `next` again: not the end
    assert any("*Wrap-up.*" in shown(m) for m in thread(slack)), "Wrap-up was opened"
    assert "· ended" not in shown(agenda_message(slack))


async def test_the_finish_button_still_ends_the_meeting(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    for _ in range(3):
        await refine(slack, "next")
    await slack.driver.click("Finish", user=SM, message=agenda_message(slack))
    assert "Backlog refinement · ended" in shown(agenda_message(slack))


async def test_a_paused_section_over_time_reads_minutes_over(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await tick(slack, 7)  # kick-off 5 min: 2 over
    await refine(slack, "pause")
    card = shown(agenda_message(slack))
    assert "paused 2 min over" in card and "min left" not in card, card


async def test_an_ended_wrap_up_card_promises_no_picker(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    for _ in range(3):
        await refine(slack, "next")
    await refine(slack, "end")
    wrap = [m for m in thread(slack) if "*Wrap-up.*" in shown(m)][-1]
    assert "below" not in shown(wrap) and "No date picked for the next session yet" in shown(wrap)
