"""A refinement held between sprints, end to end: the last sprint is over and the next is not
committed, so the minutes and `/backlog health` show no sprint's budget (the last one's would
read as if the session had not happened); once the sprint whose dates hold the session is
committed, both count the session in it."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from bot.usecases import sprints
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_refinement_budget_slack import session, team_with_sprint
from tests.conftest import CHANNEL, SM


async def close_and_commit_next(slack: LocalStack, *, commit: bool) -> None:
    """Sprint 1 (Monday 2 to Sunday 15 March) closed; with `commit`, sprint 2 (its slot is 16
    to 29 March) planned and committed now: planned on Tuesday 17, it counts the 9 working days
    from then (its budget too)."""
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        for sprint in await store.sprints(team.id, limit=4):
            sprint.status = "closed"
        if commit:
            sprint = await sprints.upcoming(store, team, now)
            assert sprint.number == 2
            sprint.goal, sprint.status, sprint.committed_points = "Ship more", "active", 0.0


async def test_a_refinement_between_sprints_reports_no_stale_budget_then_counts_in_the_next(slack):
    await team_with_sprint(slack)
    await close_and_commit_next(slack, commit=False)
    slack.clock.advance(timedelta(days=15))  # Tuesday 17 March: sprint 1 is over

    minutes = await session(slack, 16)
    assert "Refinement budget" not in minutes, minutes
    assert "Refinement budget" not in shown(await backlog(slack, "health", user=SM))

    await close_and_commit_next(slack, commit=True)
    health = shown(await backlog(slack, "health", user=SM))
    assert "*Refinement budget, sprint 2:* 0.3h in 1 session of 7.2h" in health
    slack.clock.advance(timedelta(hours=1))
    minutes = await session(slack, 30)
    assert "*Refinement budget, sprint 2:* 0.8h in 2 sessions of 7.2h" in minutes
