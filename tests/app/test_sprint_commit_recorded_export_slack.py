"""A Scrum Master records the Developers' commitment (`/planning commit team`): the sprint's file
names as committers the Developers who committed themselves, never the Scrum Master, who only
recorded it; a line of its own says who recorded it (stored with the sprint)."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_planning_slack import cmd, setup
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PEOPLE, PO, SM


async def planned(slack: LocalStack) -> None:
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)


async def sprint_file(slack: LocalStack) -> str:
    await cmd(slack, "/sprint", "export md", DEV1)
    [upload] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    return slack.emulator.files[upload.files[0]["id"]].content.decode()


def starting(markdown: str, words: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(words)]


def committers(markdown: str) -> list[str]:
    return starting(markdown, "- Committed by")


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


def recorder(markdown: str) -> list[str]:
    return starting(markdown, "- Commitment recorded")


async def recorded(slack: LocalStack, *themselves: str) -> str:
    """The sprint's file once the Scrum Master recorded the commitment, after the Developers
    `themselves` committed."""
    await planned(slack)
    for developer in themselves:
        await cmd(slack, "/planning", "commit", developer)
    await cmd(slack, "/planning", "commit team")
    return await sprint_file(slack)


async def test_the_file_says_the_developers_committed_and_who_recorded_it(slack):
    markdown = await recorded(slack)
    assert committers(markdown) == ["- Committed by: the Developers"], markdown
    assert recorder(markdown) == [
        f"- Commitment recorded by: {PEOPLE[SM][1]}, for the Developers"
    ], markdown


async def test_the_recorder_is_named_beside_the_developers_who_committed_themselves(slack):
    markdown = await recorded(slack, DEV1, DEV2)
    assert sorted(committers(markdown)[0].partition(": ")[2].split(", ")) == sorted(
        [PEOPLE[DEV1][1], PEOPLE[DEV2][1]]
    ), markdown
    assert recorder(markdown) == [
        f"- Commitment recorded by: {PEOPLE[SM][1]}, for the other Developers"
    ], markdown


async def test_a_commitment_the_developers_gave_themselves_has_no_recorder(slack):
    await planned(slack)
    for developer in (DEV1, DEV2, DEV3):
        await cmd(slack, "/planning", "commit", developer)
    markdown = await sprint_file(slack)
    assert "- Status: active" in markdown, markdown
    assert recorder(markdown) == [], markdown
