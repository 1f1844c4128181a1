# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""Reports that say what is true, each through the real app and the Slack emulator: the
sprint's CSV runs no formula in a spreadsheet; `/ready dor` names the horizon `/ready` checks;
and words that read wrong (a velocity of one sprint, a poll that closed with one vote, the
history line of an imported item)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from tests.app.test_backlog_guards import FORMULA
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_horizon_slack import edit, team_after_one_sprint
from tests.app.test_planning_slack import channel_posts, cmd, commit_sprint, setup
from tests.app.test_poker_slack import at, board, poker, replies, setup_team, vote
from tests.app.test_ready_slack import make_team, ready
from tests.app.test_tracker_sync import connect, jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key
from tests.conftest import CHANNEL, DEV1, PO, SM

# -- the sprint's CSV ----------------------------------------------------------------------------


async def test_the_sprint_csv_through_slack_runs_no_formula_in_a_spreadsheet(slack):
    await setup(slack)
    await edit(slack, 1, {"Title": "=cmd|' /C calc'!A0"})
    await commit_sprint(slack, 1)
    await cmd(slack, "/sprint", 'task 1 add =HYPERLINK("http://x","y") 2h', DEV1)
    await cmd(slack, "/sprint", "task 1 add @SUM(1+1) 1h", DEV1)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [sprint] = await store.open_sprints(team.id)
        sprint.goal = "-1 bugs by Friday"
    await cmd(slack, "/sprint", "export csv", DEV1)
    [shared] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    content = slack.emulator.files[shared.files[0]["id"]].content.decode()
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA)] == []
    assert [(row[1], row[3], row[7]) for row in rows[1:]] == [
        ("'-1 bugs by Friday", "'=cmd|' /C calc'!A0", '\'=HYPERLINK("http://x","y")'),
        ("'-1 bugs by Friday", "'=cmd|' /C calc'!A0", "'@SUM(1+1)"),
    ]


# -- /ready dor says the horizon /ready checks ---------------------------------------------------


async def test_ready_dor_with_a_velocity_names_the_horizon_ready_checks(slack):
    await team_after_one_sprint(slack)
    assert "The horizon is the top 4 items, about two sprints (10 points)" in shown(
        await ready(slack)
    )
    dor = shown(await ready(slack, "dor"))
    assert (
        "At a velocity of 5 points, reminders and `/ready` look at the top 4 items, "
        "about two sprints (10 points)."
    ) in dor
    assert "Without a velocity yet" not in dor and "top 10 items" not in dor


async def test_the_saved_definition_of_ready_names_the_horizon_too(slack):
    await team_after_one_sprint(slack)
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    await slack.driver.submit(
        slack.emulator.open_view(PO), {"Split threshold (points)": "2"}, user=PO
    )
    saved = shown(slack.emulator.ephemerals(CHANNEL, PO)[-1])
    assert "(2 points)" in saved and "look at the top 4 items, about two sprints" in saved


async def test_ready_dor_without_a_velocity_says_so(slack):
    await make_team(slack, ["Export invoices"])
    dor = shown(await ready(slack, "dor"))
    assert "Without a velocity yet, reminders and `/ready` look at the top 10 items." in dor
    assert "At a velocity" not in dor


# -- words -------------------------------------------------------------------------------------


async def test_the_velocity_of_one_sprint_is_what_that_sprint_completed(slack):
    await team_after_one_sprint(slack)
    await cmd(slack, "/planning", "start")
    await cmd(slack, "/planning", "next")
    await cmd(slack, "/planning", "next")
    agenda = [p for p in channel_posts(slack) if "Sprint planning" in shown(p)][-1]
    said = [shown(m) for m in slack.emulator.thread(CHANNEL, agenda.ts)]
    capacity = [text for text in said if "*Velocity:*" in text][-1]
    assert "*Velocity:* 5 points (what the last sprint completed) → *forecast*" in capacity
    assert "last 1 sprint" not in capacity


async def test_a_poll_that_closed_with_one_vote_of_three_is_no_consensus(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")
    await vote(slack, DEV1, "3")
    await at(slack, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    poll = board(slack)
    assert "Revealed: a single estimate of 3." in shown(poll)
    [result] = replies(slack, poll)
    text = shown(result)
    assert "voting closed, 1 vote." in text and "*A single estimate: 3.*" in text
    assert "onsensus" not in text, "one vote agrees with nobody"
    [notice] = [m for m in slack.emulator.messages(CHANNEL) if "has closed" in m.text]
    assert "*#1* Export invoices: a single estimate of 3" in shown(notice)
    await slack.driver.click("Accept 3", user=SM, message=result)
    assert "Estimate: *3*, accepted by" in shown(board(slack)), "it can still be taken"


async def test_an_imported_items_history_names_its_tracker_once(slack, jira):
    _, story, _, _ = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    number = (await item_by_key(slack, story)).number
    item = shown(await backlog(slack, f"show {number}"))
    assert "imported from Jira" in item and "Jira imported" not in item, item
