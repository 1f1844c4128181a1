"""`/backlog health` and the planning's capacity write their figures as the rest of the app
does: a velocity rounded to a tenth (not 8.66667), one point singular."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_horizon_slack import READY, cmd, edit
from tests.app.test_planning_slack import channel_posts, close_sprint, commit_sprint
from tests.conftest import CHANNEL, DEV1, roles


async def team_with_velocity(slack: LocalStack, estimate: str) -> None:
    """Sprint 1 delivered #1, estimated `estimate`: the velocity; #2 and #3 wait, ready."""
    await roles(slack)
    for title in ("Export invoices", "Dark mode", "Audit log"):
        await backlog(slack, f"add {title}", user=DEV1)
    for number in (1, 2, 3):
        await edit(slack, number, {**READY, "Estimate (story points)": estimate})
    await commit_sprint(slack, 1)
    await cmd(slack, "/sprint", "done 1", DEV1)
    slack.clock.advance(timedelta(days=13))
    await close_sprint(slack, "Yes")


async def test_health_rounds_the_velocity_to_a_tenth(slack):
    await team_with_velocity(slack, "8.66667")
    text = shown(await backlog(slack, "health"))
    assert "sprints of ready work at a velocity of 8.7 points;" in text, text
    assert "8.66667" not in text


async def test_one_point_is_singular_in_the_capacity_and_health(slack):
    await team_with_velocity(slack, "1")
    assert "at a velocity of 1 point;" in shown(await backlog(slack, "health"))
    for step in ("start", "add 2", "next", "next"):  # sprint 2's planning, to its capacity
        await cmd(slack, "/planning", step)
    agenda = [m for m in channel_posts(slack) if "Sprint planning" in shown(m)][-1]
    capacity = shown(slack.emulator.thread(CHANNEL, agenda.ts)[-1])
    assert "*Velocity:* 1 point (what the last sprint completed) → *forecast* 1 point." in capacity
    assert "the focus factor sizes the hours for tasks, not the forecast" in capacity
    assert "*Selection:* 1 point in 1 item" in capacity, capacity
    assert "1 points" not in capacity
