"""Through the real app: a task title keeps its leading dash, and committing for the team
is refused by role before anything about the sprint is said."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import cmd, commit_sprint, setup, thread
from tests.app.test_sprint_tasks_slack import planned, private
from tests.conftest import CHANNEL, DEV1


async def test_a_task_added_with_a_leading_dash_keeps_it(slack: LocalStack):
    await planned(slack, tasks=False)
    await cmd(slack, "/sprint", "task 1 add -2+3 evil 1h", DEV1)
    await cmd(slack, "/sprint", "task 1 add --force push 2h", DEV1)
    await cmd(slack, "/sprint", "task 1 add - Review it 30m", DEV1)
    card = private(slack, DEV1)
    assert "-2+3 evil" in card and "--force push" in card, card
    assert "- Review it" not in card and "Review it" in card, card


async def test_committing_for_the_team_without_the_role_is_refused_before_the_goal(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "commit team", DEV1)  # no goal yet, and DEV1 is no SM
    answer = private(slack, DEV1, CHANNEL)
    assert "Only a Scrum Master can commit for the team." in answer, answer
    assert "No sprint goal yet" not in answer


async def test_the_planning_minutes_say_the_sprint_is_committed_not_active(slack):
    """The minutes printed the sprint's stored status ("active") for a sprint that starts
    later; they say what happened in the meeting: it was committed."""
    await setup(slack)
    await commit_sprint(slack, 1)
    minutes = [shown(m) for m in thread(slack) if "Minutes" in shown(m)]
    assert minutes and "*Sprint 1* (committed):" in minutes[-1], minutes
    assert "(active)" not in minutes[-1]
