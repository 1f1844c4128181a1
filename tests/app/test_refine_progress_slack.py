"""A refinement's progress bar and its extensions end to end, on an injected clock: `+5 min`
at time-up lengthens the bar and its total and empties none of it; an extension out of range
is refused naming the range."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import SM


def bar(slack: LocalStack) -> str:
    """The agenda message's progress bar."""
    return shown(agenda_message(slack)).split("`")[1]


async def test_five_more_minutes_at_time_up_lengthen_the_bar_and_take_nothing_from_it(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")  # kick-off 3, triage 10, deep dive 12, wrap-up 5
    await refine(slack, "next")
    await tick(slack, 8)
    await tick(slack, 3)
    agenda = shown(agenda_message(slack))
    assert ":alarm_clock: 1 min over" in agenda and "section 2 of 4 · 11 min of 30 ·" in agenda
    before = bar(slack)
    assert (before.count("▓"), len(before)) == (9, 20)

    up = thread(slack)[-1]
    assert "Time is up for *Triage new items*" in shown(up)
    await slack.driver.click("+5 min", user=SM, message=up)
    agenda = shown(agenda_message(slack))
    assert "*Triage new items* · 10 + 5 min · 5 min left" in agenda
    assert "section 2 of 4 · 11 min of 35 (5 added) ·" in agenda
    after = bar(slack)
    assert after.count("▓") == 9 and len(after) == 23, "longer, and no cell emptied"

    await tick(slack, 5)
    assert "section 2 of 4 · 16 min of 35 (5 added) ·" in shown(agenda_message(slack))


async def test_an_extension_out_of_range_is_refused_naming_the_range(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")
    await refine(slack, "extend 99999m")
    answer = shown(last_ephemeral(slack, SM))
    assert "`99999m` is too long. Extend by 1 to 60 minutes, e.g. `/refine extend 5m`." in answer
    assert "Kick-off* · 3 min ·" in shown(agenda_message(slack)), "nothing extended"


async def test_the_bars_label_says_the_section_and_the_minutes_run_not_the_plan(slack):
    """Sections skipped in half a minute fill the bar (it is the agenda's progress), but the
    label says which section it is and the minutes the meeting ran, as its minutes will."""
    await setup_team(slack)
    await refine(slack, "start 30m")  # kick-off 3, triage 10, deep dive 12, wrap-up 5
    for _ in range(3):
        await tick(slack, 1 / 6)
        await refine(slack, "next")
    agenda = shown(agenda_message(slack))
    assert "section 4 of 4 · under a minute of 30 ·" in agenda, agenda
    assert "25 min of 30" not in agenda
