"""Which shared files Timebox takes, and where (a QA pass).

A CSV or YAML file shared in a direct message with the bot is answered as a command typed
there is (Timebox plans in a channel): before, the DM became a hidden team, with the file's
items on its backlog. A YAML file is taken as an agenda only when it looks like one (a
mapping with an agenda's keys): a developer's docker-compose.yml or the Scrum Master's CI
file is left alone, as someone's unrelated spreadsheet is, instead of a public "not taken as
an agenda". A file shared in a channel that has no team yet makes one only as `/backlog add`
does there: an import does; a file left alone or refused leaves no trace."""

from __future__ import annotations

import logging

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import JIRA_CSV, name_po, shown
from tests.app.test_team_members_slack import last_answer
from tests.conftest import CHANNEL, DEV1, DEV2, PO, SM

AGENDA = b"name: Quick\nkind: refinement\nsections:\n  - title: Look\n    minutes: 10\n"
COMPOSE = b"""version: "3.9"
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: secret
"""
CI = b"""name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
"""
NEW = "C0NEW"  # a channel Timebox is in, with no team yet


async def team_made(slack: LocalStack, channel: str) -> bool:
    async with slack.db.transaction() as store:
        return await store.team("T0TEAM", channel) is not None


def bot_said(slack: LocalStack, channel: str) -> list[str]:
    """Everything the bot posted in the channel and its threads, and privately there."""
    posted = [shown(m) for m in slack.emulator.messages(channel) if m.user == "UBOT"]
    private = [
        shown(e) for u in (PO, SM, DEV1, DEV2) for e in slack.emulator.ephemerals(channel, u)
    ]
    return posted + private


async def test_a_file_shared_in_a_direct_message_points_to_a_channel_and_stores_nothing(slack):
    dm = slack.emulator.channel_id(DEV1)  # the bot's direct message with Diana (D…)
    for name, content, kind, command in (
        ("mine.csv", JIRA_CSV.encode(), "csv", "/backlog import"),
        ("agenda.yml", AGENDA, "yaml", "/refine agenda"),
    ):
        _, ack = await slack.driver.share_file(DEV1, DEV1, name, content, kind)
        assert ack.status == 200
        answer = shown(last_answer(slack, DEV1, dm))
        assert "Timebox plans in a channel" in answer and "a direct message has no team" in answer
        assert "/invite @Timebox" in answer and command in answer, name
        assert "Imported" not in answer and "Set up the team" not in answer
        assert [m for m in slack.emulator.messages(dm) if m.user == "UBOT"] == [], name
        assert not await team_made(slack, dm), f"{name} made a team of the DM"


async def test_unrelated_yaml_shared_in_the_channel_is_left_alone(
    slack: LocalStack, caplog: pytest.LogCaptureFixture
) -> None:
    await name_po(slack)
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=CHANNEL)
    before = bot_said(slack, CHANNEL)
    await slack.driver.share_file(DEV1, CHANNEL, "docker-compose.yml", COMPOSE, "yaml")
    await slack.driver.share_file(SM, CHANNEL, "ci.yml", CI, "yaml")
    await slack.driver.share_file(PO, CHANNEL, "empty.yaml", b"", "yaml")
    await slack.driver.share_file(PO, CHANNEL, "list.yml", b"- kind: planning\n", "yaml")
    await slack.driver.share_file(PO, CHANNEL, "deep.yml", b"[" * 5_000, "yaml")
    k8s = b"apiVersion: v1\nkind: Pod\n---\nkind: Service\n"  # two documents: not read
    await slack.driver.share_file(DEV1, CHANNEL, "pod.yaml", k8s, "yaml")
    assert bot_said(slack, CHANNEL) == before, "nothing said, in public or privately"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_an_agenda_looking_file_is_still_refused_in_its_thread(slack):
    """A developer's agenda, and an agenda with a mistake, are answered where they were
    shared: the channel saw the file, and sees that it did not become the agenda."""
    await name_po(slack)
    await slack.driver.share_file(DEV1, CHANNEL, "quick.yml", AGENDA, "yaml")
    await slack.driver.share_file(PO, CHANNEL, "typo.yml", b"name: Quick\nsections: 3\n", "yaml")
    await slack.driver.share_file(PO, CHANNEL, "kind.yml", b"kind: review\nsection: []\n", "yaml")
    refused = [m for m in slack.emulator.messages(CHANNEL) if "not taken as an agenda" in m.text]
    shares = {m.ts for m in slack.emulator.messages(CHANNEL) if m.files}
    assert [m.text.split(" was")[0][4:] for m in refused] == ["quick.yml", "typo.yml", "kind.yml"]
    assert "Only the Product Owner or Scrum Master can change agendas" in refused[0].text
    assert "`sections` must be a list of sections" in refused[1].text
    assert all(m.thread_ts in shares for m in refused), "each in its file's thread"


async def test_a_file_in_a_channel_without_a_team_makes_one_only_as_backlog_add_does(slack):
    slack.emulator.add_channel(NEW, "new-team", members=[PO, DEV1, "UBOT"])
    await slack.driver.share_file(DEV1, NEW, "docker-compose.yml", COMPOSE, "yaml")
    await slack.driver.share_file(DEV1, NEW, "people.csv", b"Person,Phone\nAda,123\n")
    assert bot_said(slack, NEW) == [] and not await team_made(slack, NEW), "left alone"
    await slack.driver.share_file(PO, NEW, "agenda.yml", AGENDA, "yaml")
    [refused] = [m for m in slack.emulator.messages(NEW) if "agenda.yml" in m.text]
    assert "This channel has no Scrum roles yet" in refused.text, "as `/refine agenda` there"
    assert not await team_made(slack, NEW), "a refusal writes nothing"
    # An import is `/backlog add` many times over: any member's, the team made on first use.
    await slack.driver.share_file(DEV1, NEW, "jira.csv", JIRA_CSV.encode())
    [report] = [m for m in slack.emulator.messages(NEW) if "from jira.csv" in m.text]
    assert "Imported 1 item (#1)" in report.text
    ack = await slack.driver.command("/backlog", "add By hand", user=DEV1, channel=NEW)
    assert ack.status == 200
    assert "Added *#2* By hand" in last_answer(slack, DEV1, NEW).text
