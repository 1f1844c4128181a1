"""A Scrum Master records the Developers' commitment (`/planning commit team`): the sprint's file
names as committers the Developers who committed themselves, never the Scrum Master, who only
recorded it."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_planning_slack import cmd, setup
from tests.conftest import CHANNEL, DEV1, PEOPLE, PO, SM


async def planned(slack: LocalStack) -> None:
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)


async def sprint_file(slack: LocalStack) -> str:
    await cmd(slack, "/sprint", "export md", DEV1)
    [upload] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    return slack.emulator.files[upload.files[0]["id"]].content.decode()


def committers(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("- Committed by")]


async def test_the_scrum_master_who_recorded_the_commitment_is_no_committer(slack):
    await planned(slack)
    await cmd(slack, "/planning", "commit team")
    markdown = await sprint_file(slack)
    assert "- Status: active" in markdown, markdown
    assert not any(PEOPLE[SM][1] in line for line in committers(markdown)), markdown


async def test_the_developers_who_committed_themselves_are_the_committers(slack):
    await planned(slack)
    await cmd(slack, "/planning", "commit", DEV1)
    await cmd(slack, "/planning", "commit team")
    markdown = await sprint_file(slack)
    assert committers(markdown) == [f"- Committed by: {PEOPLE[DEV1][1]}"], markdown
