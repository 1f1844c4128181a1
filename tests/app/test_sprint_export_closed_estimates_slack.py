"""A closed sprint's file shows its items' estimates as they stood when it closed: an item it
left unfinished and re-estimated since on the backlog keeps, in that sprint's file, the points
the sprint counted (before, today's estimate showed, beside a scope table and a burndown that
said the old one)."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.app.test_ready_slack import READY
from tests.conftest import CHANNEL, DEV1, PO


async def exported(slack: LocalStack, text: str) -> str:
    """`/sprint <text>`'s file, as uploaded to the channel."""
    await cmd(slack, "/sprint", text, DEV1)
    upload = [m for m in slack.emulator.messages(CHANNEL) if m.files][-1]
    return slack.emulator.files[upload.files[0]["id"]].content.decode()


async def test_a_closed_sprints_file_shows_the_estimates_it_closed_with(slack):
    await setup(slack)  # #1 is 5 points
    await commit_sprint(slack, 1)
    await close_sprint(slack, "no")  # #1 unfinished, back on the backlog
    slack.clock.advance(timedelta(hours=1))
    await backlog(slack, "edit 1")
    await slack.driver.submit(
        slack.emulator.open_view(PO), {**READY, "Estimate (story points)": "13"}, user=PO
    )

    markdown = await exported(slack, "export md 1")
    csv = await exported(slack, "export csv 1")

    [row] = [line for line in markdown.splitlines() if line.startswith("| #1 |")]
    assert "| 5 |" in row and "13" not in row, row
    [csv_row] = [line for line in csv.splitlines() if ",#1," in line]
    assert ",5," in csv_row and "13" not in csv_row, csv_row
