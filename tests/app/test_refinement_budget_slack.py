"""The refinement budget (issue 18, point 3) through the real app: the time a sprint's
refinement sessions took against the team's share of the sprint's capacity, in the minutes, in
`/backlog health` and on the App Home, with a warning when a sprint goes well over or under."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.refinement_budget import Budget
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_refine_slack import refine
from tests.app.test_sprint_slack import running_sprint
from tests.conftest import CHANNEL, PO, SM


async def session(slack: LocalStack, minutes: int) -> str:
    """A refinement session of `minutes`, ended by the Scrum Master; its minutes."""
    await refine(slack, "start 60m")
    slack.clock.advance(timedelta(minutes=minutes))
    await refine(slack, "end")
    await slack.settle()
    agendas = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and m.blocks[0].get("type") == "header" and not m.thread_ts
    ]
    text = shown(slack.emulator.thread(CHANNEL, agendas[-1].ts)[-1])
    assert "*Minutes of the Backlog refinement*" in text
    return text


async def team_with_sprint(slack: LocalStack) -> None:
    """A two-week sprint of 8-hour days running from today (Monday 2 March 2026): 80 hours a
    person, so 10% is 8 hours."""
    await running_sprint(slack, "T0TEAM", CHANNEL)
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)


async def test_the_minutes_health_and_home_show_the_budget_and_warn_when_well_over(slack):
    await team_with_sprint(slack)
    minutes = await session(slack, 60)
    assert "*Refinement budget, sprint 1:* 1h in 1 session of 8h" in minutes
    assert "1.2% of each person's capacity, against 10%" in minutes
    assert ":warning:" not in minutes

    # The PO gives refinement 1% only: two hours are then well over it (above 1.5%).
    await slack.driver.command("/timebox", "settings refinement 1%", user=PO, channel=CHANNEL)
    assert "*Refinement budget:* 1% of each sprint's capacity" in shown(last_ephemeral(slack, PO))
    slack.clock.advance(timedelta(hours=2))
    minutes = await session(slack, 60)
    assert ":warning: *Refinement budget, sprint 1:* 2h in 2 sessions of 0.8h" in minutes
    assert "well over the budget (above 1.5%)" in minutes

    health = shown(await backlog(slack, "health", user=SM))
    assert "*Refinement budget, sprint 1:* 2h in 2 sessions" in health
    assert "well over the budget" in health
    assert "well over the budget" in await home(slack, SM)


async def test_a_sprint_past_its_middle_with_little_refinement_is_well_under(slack):
    await team_with_sprint(slack)
    await session(slack, 30)
    health = shown(await backlog(slack, "health", user=SM))
    assert "*Refinement budget, sprint 1:* 0.5h in 1 session of 8h" in health
    assert "well under" not in health  # the first day: no refinement yet is normal

    slack.clock.advance(timedelta(days=9))  # Wednesday of the second week
    health = shown(await backlog(slack, "health", user=SM))
    assert ":warning: *Refinement budget, sprint 1:* 0.5h" in health
    assert "well under the budget (below half of it so far)" in health


async def test_a_share_outside_1_to_50_percent_is_refused(slack):
    await team_with_sprint(slack)
    await slack.driver.command("/timebox", "settings refinement 80%", user=PO, channel=CHANNEL)
    assert "percentage from 1 to 50" in shown(last_ephemeral(slack, PO))


def test_the_thresholds_are_half_and_one_and_a_half_times_the_share():
    def status(spent: int, gone: float) -> str:
        return Budget(1, 0.10, spent, 4800, gone, 1).status

    assert status(721, 0.2) == "over" and status(720, 0.2) == "ok"  # 15% of 80h is 12h
    assert status(0, 0.4) == "ok"  # before the middle, "under" is not said
    assert status(239, 1.0) == "under" and status(240, 1.0) == "ok"  # 5% of 80h is 4h
    assert status(167, 0.7) == "under" and status(168, 0.7) == "ok"  # 5% of 70% gone
