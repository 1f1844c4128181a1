# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""One board feeds one backlog: a second channel cannot connect to the GitHub project another
channel syncs (its team would otherwise change the first team's items through the tracker,
and the two backlogs would undo each other's writes). Refused in plain words before anything
is registered at the tracker; the first channel's connection is untouched."""

from __future__ import annotations

from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_github_sync import connected, github, seed  # noqa: F401
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_slack import submit
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import answer_to_form, github_form
from tests.conftest import CHANNEL, PO

OTHER = "C0OTHER"


async def connect_other(slack: LocalStack, github: GitHubEmulator) -> str:
    """The PO, also in #other, names themself its PO and connects it to the same project."""
    slack.emulator.add_channel(OTHER, "other-team", members=[PO, "UBOT"])
    await slack.driver.command("/timebox", f"roles po <@{PO}>", user=PO, channel=OTHER)
    await slack.driver.command("/timebox", "connect", user=PO, channel=OTHER)
    await slack.driver.click("GitHub", user=PO, message=slack.emulator.ephemerals(OTHER, PO)[-1])
    view = slack.emulator.open_view(PO)
    assert view is not None and view.view["title"]["text"] == "Connect GitHub"
    await slack.driver.submit(view, github_form(github), user=PO)
    await slack.settle()
    return answer_to_form(slack, PO, OTHER)


async def test_a_second_channel_cannot_connect_to_a_project_another_channel_syncs(slack, github):
    seed(github)
    await connected(slack, github)
    hooks = len(github.webhooks)
    answer = await connect_other(slack, github)
    assert "connected to another Timebox channel already" in answer, answer
    assert "/timebox disconnect" in answer
    assert len(github.webhooks) == hooks, "nothing registered at the tracker"
    async with slack.db.transaction() as store:
        other = await store.team("T0TEAM", OTHER)
        first = await store.team("T0TEAM", CHANNEL)
        assert other is not None and first is not None
        assert await store.connection(other.id) is None, "the second channel stays unconnected"
        assert await store.connection(first.id) is not None, "the first keeps its connection"


async def test_a_filter_of_a_board_another_channel_syncs_is_refused_too(slack, jira):
    """Another JQL filter of the same Jira board is the same board: its issues, sprints and
    order are the first channel's too."""
    seed_board(jira)
    await jira_connected(slack, jira)
    slack.emulator.add_channel(OTHER, "other-team", members=[PO, "UBOT"])
    await slack.driver.command("/timebox", f"roles po <@{PO}>", user=PO, channel=OTHER)
    answer = await submit(
        slack, jira, channel=OTHER, **{"Only issues matching (JQL)": "project = TB"}
    )
    assert "connected to another Timebox channel already" in answer, answer
    async with slack.db.transaction() as store:
        other = await store.team("T0TEAM", OTHER)
        assert other is not None and await store.connection(other.id) is None
