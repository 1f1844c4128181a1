"""The planning horizon once a velocity is recorded (issue 13, point 1): `/ready`, the daily
reminder and `/backlog health` look at two sprints of velocity, not the top 10 items, and the
health check reads the refinements and sprints that are recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_planning_slack import close_sprint, commit_sprint
from tests.app.test_ready_slack import READY, at, bot_posts, ready
from tests.conftest import CHANNEL, DEV1, PO, SM, roles

STORY = {"Value hypothesis": READY["Value hypothesis"]}
CRITERIA = {"Acceptance criteria": READY["Acceptance criteria"]}


async def cmd(slack: LocalStack, command: str, text: str, user: str = SM) -> None:
    ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
    assert ack.status == 200


async def edit(slack: LocalStack, number: int, fields: dict[str, str]) -> None:
    await backlog(slack, f"edit {number}")
    await slack.driver.submit(slack.emulator.open_view(PO), fields, user=PO)


async def team_after_one_sprint(slack: LocalStack) -> None:
    """Sprint 1 delivered #1 (5 points): the velocity is 5, so the horizon holds 10 points.

    Left on the backlog, in order: #2 ready 3, #3 unestimated (counted at the median, 3),
    #4 ready 3, #5 unready 2, then #6 unready 8, beyond two sprints of velocity."""
    await roles(slack)
    titles = ("Export invoices", "Dark mode", "Audit log", "Search", "Reports", "Offline mode")
    for title in titles:
        await backlog(slack, f"add {title}", user=DEV1)
    await edit(slack, 1, {**READY, "Estimate (story points)": "5"})
    await edit(slack, 2, READY)
    await edit(slack, 3, {**STORY, **CRITERIA})
    await edit(slack, 4, READY)
    await edit(slack, 5, {"Estimate (story points)": "2"})
    await edit(slack, 6, {"Estimate (story points)": "8"})
    await commit_sprint(slack, 1)
    await cmd(slack, "/sprint", "done 1", DEV1)
    slack.clock.advance(timedelta(days=13))
    assert "velocity is now 5" in await close_sprint(slack, "Yes")


async def test_ready_and_the_reminder_look_at_two_sprints_of_velocity(slack):
    await team_after_one_sprint(slack)
    report = shown(await ready(slack))
    assert "*Ready coverage: 1.2 sprints* (6 ready points at a velocity of 5); aim for 2." in report
    assert "The horizon is the top 4 items, about two sprints (10 points)" in report
    assert (
        "1 unestimated item in it (#3) is counted at the team's median estimate of 3 points."
        in report
    )
    assert "*#3* Audit log" in report and "*#5* Reports" in report
    assert "Offline mode" not in report, "#6 lies beyond two sprints of velocity"
    assert "no velocity" not in report

    await ready(slack, "remind at 09:30")
    # Closed on Sunday 15 March: the next reminder is Monday's, 09:30 in Berlin.
    before = len(bot_posts(slack))
    await at(slack, datetime(2026, 3, 16, 8, 30, tzinfo=UTC))
    [reminder] = bot_posts(slack)[before:]
    text = shown(reminder)
    assert "sprint planning is Monday 16 March" in text, "sprint 2 is planned that day"
    assert "These 2 items will not be plannable" in text
    assert "*#3* Audit log" in text and "*#5* Reports" in text and "Offline mode" not in text
    assert "Ready coverage: 1.2 sprints" in text


async def test_backlog_health_uses_the_velocity_the_refinements_and_the_sprints(slack):
    await team_after_one_sprint(slack)
    text = shown(await backlog(slack, "health"))
    assert "*Ready coverage:* 1.2 sprints of ready work at a velocity of 5 points" in text
    assert "counts 1 unestimated item at the team's median estimate of 3 points" in text
    assert "2 of the 4 items in the planning horizon are ready." in text
    assert "1 of the 1 item of sprint 1 supports its goal." in text
    assert "Measured once sprints are recorded" not in text
    assert "no refinement session recorded yet" in text

    await cmd(slack, "/refine", "start 30m")
    await cmd(slack, "/refine", "end")
    text = shown(await backlog(slack, "health"))
    assert "*Top reordered since the last refinement:* no: look at the order" in text
    await backlog(slack, "move 4 top")
    text = shown(await backlog(slack, "health"))
    assert "*Top reordered since the last refinement:* yes." in text
