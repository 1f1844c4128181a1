# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A sprint's dates tell one story wherever they are read, through the real app and the Slack
and Jira emulators: its slot in the calendar ends on a Sunday, but the sprint is worked
Monday to Friday, so the channel's announcement, the `/sprint export md` file and the
sprint Timebox makes in Jira all end it on its last working day (in Jira at the end of that
day, 17:00 in the team's time zone); the file names the slot's end too, saying which is which."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import sprints as sprint_rules
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import cmd, commit_sprint, posted, setup
from tests.app.test_sprint_points_slack import uploads
from tests.app.test_tracker_reopen import TRACKERS
from tests.app.test_tracker_sync import connect, jira, running_sprint  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, later
from tests.conftest import CHANNEL, DEV1, PO

ZONE = "Europe/Berlin"


async def test_the_announcement_the_export_and_jira_end_the_sprint_alike(slack, jira):
    await setup(slack)
    await cmd(slack, "/timebox", f"settings timezone {ZONE}", PO)
    await connect(slack, jira)
    await drain(slack)

    await commit_sprint(slack, 1, 3)
    await drain(slack)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        [sprint] = [s for s in await store.sprints(team.id) if s.status == "active"]
        starts, slot_ends = sprint.starts_on, sprint.ends_on
    assert slot_ends.weekday() == 6, "the slot ends on a Sunday"
    friday = slot_ends - timedelta(days=2)

    said = posted(slack, "is committed")
    assert f"({starts:%d %b} to {friday:%d %b})" in said, said

    await cmd(slack, "/sprint", "export md", DEV1)
    [(_, content)] = uploads(slack, "sprint-1.md")
    lines = content.decode().splitlines()
    assert (
        f"- Dates: {starts.isoformat()} to {friday.isoformat()} (its last working day; "
        f"its slot in the calendar runs to {slot_ends.isoformat()})"
    ) in lines, lines

    [made] = jira.sprints.values()
    end = datetime.fromisoformat(made.end.replace("Z", "+00:00"))
    assert end.astimezone(ZoneInfo(ZONE)) == datetime(
        friday.year, friday.month, friday.day, 17, tzinfo=ZoneInfo(ZONE)
    ), made.end
    start = datetime.fromisoformat(made.start.replace("Z", "+00:00"))
    assert start.astimezone(ZoneInfo(ZONE)).date() == starts


async def test_a_github_iteration_runs_through_the_last_working_day(slack, github):
    """GitHub's iterations run whole days: the one Timebox makes holds the sprint's last
    working day (GitHub would count it completed on that day otherwise), every day of it."""
    tracker = TRACKERS["github"]
    keys = tracker.seed(github)
    await tracker.connect(slack, github)
    sprint_id = await running_sprint(slack, keys[:1])
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        sprint = await store.sprint_by_id(sprint_id)
        last = sprint_rules.last_day(team, sprint)
    [iteration] = github._iteration_field().iterations
    assert iteration.start == sprint.starts_on
    assert iteration.start + timedelta(days=iteration.duration) == last + timedelta(days=1)

    await later(slack, (last - sprint.starts_on).days * 86400 + 6 * 3600)  # its last day, 15:00
    assert keys[0] not in github.backlog_keys(), "still in the open iteration"
