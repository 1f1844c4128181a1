"""The channel's commitment announcement and the sprint's file tell the same facts: the
Developers who committed themselves by name, and the Scrum Master who recorded the commitment
for the other Developers (`/planning commit team`), never as one of the committers."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_planning_slack import posted
from tests.app.test_sprint_commit_recorded_export_slack import committers, recorded, recorder
from tests.conftest import DEV1, DEV2, PEOPLE, SM


def announced(slack: LocalStack) -> str:
    return posted(slack, "*Sprint 1 is committed*")


async def test_the_developers_who_committed_themselves_are_named_beside_the_recorder(slack):
    markdown = await recorded(slack, DEV1, DEV2)
    said = announced(slack)
    named = ", ".join(f"<@{developer}>" for developer in sorted((DEV1, DEV2)))
    assert f"Committed by {named}; recorded by <@{SM}> for the other Developers." in said, said
    assert "Committed by the Developers" not in said, said
    assert committers(markdown) == [
        "- Committed by: " + ", ".join(PEOPLE[d][1] for d in sorted((DEV1, DEV2)))
    ], markdown
    assert recorder(markdown) == [
        f"- Commitment recorded by: {PEOPLE[SM][1]}, for the other Developers"
    ], markdown


async def test_a_commitment_the_scrum_master_recorded_alone_is_the_developers(slack):
    markdown = await recorded(slack)
    said = announced(slack)
    assert f"Committed by the Developers, recorded by <@{SM}>." in said, said
    assert committers(markdown) == ["- Committed by: the Developers"], markdown
    assert recorder(markdown) == [
        f"- Commitment recorded by: {PEOPLE[SM][1]}, for the Developers"
    ], markdown
