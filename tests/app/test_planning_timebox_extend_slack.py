"""Sprint planning's timebox (2 h per sprint week: 4 h for a 2-week sprint) as
the clock spends it. What limits an extension is the time the planning has used and still
plans to use, not its start plus its whole agenda: a team that moved on from the early
sections quickly has their minutes left, and may extend the commitment with them. And a
time-up that comes when the whole timebox is spent does not offer the "+5 min" that a click
would be refused."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_meeting_timeup_once_slack import buttons
from tests.app.test_planning_slack import cmd, setup, thread
from tests.conftest import SM

TWO_WEEKS = "Sprint planning is timeboxed to at most 4 h for a 2-week sprint (2 h per sprint week)"


async def tick(slack, minutes: float) -> None:
    slack.clock.advance(timedelta(minutes=minutes))
    await slack.services.jobs.run_due()
    await slack.settle()


def time_ups(slack) -> list:
    return [m for m in thread(slack) if "Time is up for *Commitment*" in shown(m)]


async def at_the_commitment(slack, started: str, minutes_in_each: float) -> None:
    """A planning started for `started`, each of its first four sections left after
    `minutes_in_each` minutes, the last (the commitment) running."""
    await setup(slack)
    await cmd(slack, "/planning", f"start {started}")
    for _ in range(4):
        await tick(slack, minutes_in_each)
        await cmd(slack, "/planning", "next")


async def test_a_planning_ahead_of_its_agenda_may_extend_its_commitment_within_the_timebox(slack):
    """A 4-hour planning whose goal, selection, capacity and breakdown took 10 minutes each
    has used 40 minutes and plans 24 more for the commitment: at the commitment's time-up,
    after 64 minutes of 240, "+5 min" is no refusal that "all of it is booked already"."""
    await at_the_commitment(slack, "4h", 10)
    await tick(slack, 24)  # the commitment's 24 min (10% of 240)
    [up] = time_ups(slack)
    await slack.driver.click("+5 min", user=SM, message=up)
    assert "+5 min for *Commitment*." in shown(thread(slack)[-1]), shown(thread(slack)[-1])

    await cmd(slack, "/planning", "extend 60m")  # 69 of 240 used or booked: 60 more fit
    assert "+60 min for *Commitment*." in shown(thread(slack)[-1]), shown(thread(slack)[-1])


async def test_an_extension_is_still_held_to_what_the_timebox_leaves(slack):
    """The same planning, but an hour spent in each of the first four sections (240 minutes,
    with the commitment's 24 planned: 264): nothing is left, and an extension is refused."""
    await at_the_commitment(slack, "4h", 60)
    await cmd(slack, "/planning", "extend 5m")
    said = last_ephemeral(slack, SM).text
    assert f"{TWO_WEEKS}, and all of it is booked already" in said, said


async def test_a_time_up_with_the_whole_timebox_spent_offers_no_five_more_minutes(slack):
    """The commitment's time-up after four hours of a 4-hour planning: a click on "+5 min"
    would be refused, so neither its text nor its buttons offer it; moving on (Finish),
    pausing and ending are still there."""
    await setup(slack)
    await cmd(slack, "/planning", "start 4h")
    for minutes in (36, 72, 36, 72):  # each section to its time-up, then on
        await tick(slack, minutes)
        await cmd(slack, "/planning", "next")
    await tick(slack, 24)
    [up] = time_ups(slack)
    assert "+5 min" not in buttons(up), buttons(up)
    assert "Finish" in buttons(up) and "End meeting" in buttons(up), buttons(up)
    assert "5 more minutes" not in shown(up), shown(up)
