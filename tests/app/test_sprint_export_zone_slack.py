"""`/sprint export md` dates its scope changes in the team's time zone, named once: a change
made on the sprint's first morning in Auckland read as the day before in UTC."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tests.app.test_planning_slack import cmd, commit_sprint, setup
from tests.app.test_sprint_points_slack import uploads
from tests.conftest import DEV1, PO


async def test_the_exported_scope_changes_are_in_the_teams_zone(slack):
    await setup(slack)
    await cmd(slack, "/timebox", "settings timezone Pacific/Auckland", PO)
    await commit_sprint(slack, 1)
    await cmd(slack, "/sprint", "add 2 the customer escalated it", DEV1)
    await cmd(slack, "/sprint", "export md", DEV1)
    [(_, data)] = uploads(slack, "sprint-1.md")
    content = data.decode()
    assert "| When (Pacific/Auckland) |" in content, content
    shown_at = slack.clock.now().astimezone(ZoneInfo("Pacific/Auckland"))
    assert f"| {shown_at:%Y-%m-%d %H:%M} | added | #2 |" in content, content
