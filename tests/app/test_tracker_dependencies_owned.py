# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The dependencies an item's issue has from its tracker's "is blocked by" links stay the
tracker's once the item form is saved, alike for Jira and a GitHub project: the form keeps
their lines as those links (not as Timebox's free text), so removing the link in the tracker
still takes the dependency off here; removing or ticking such a line in the form is refused
under Dependencies, naming where to change it, and the form stays open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_tracker_reconnect import disconnected
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import PO

SYNC = 6 * 60  # seconds on: the regular sync has run


@dataclass(frozen=True)
class Board:
    name: str
    emulator: Any
    blocked: str  # the issue blocked by `blocker`
    blocker: str

    def unlink(self) -> None:
        """A person removes the "is blocked by" link in the tracker."""
        if self.name == "Jira":
            self.emulator.edit(self.blocked, blocked_by=[])
        else:
            self.emulator.edit(
                self.blocked, body="Card payments.\n\n## Acceptance criteria\n- Visa"
            )


@pytest.fixture(params=["jira", "github"])
def tracker(request: pytest.FixtureRequest) -> tuple[str, Any]:
    """Jira, then a GitHub project, its emulator running."""
    return request.param, request.getfixturevalue(request.param)


async def connected(slack: LocalStack, tracker: tuple[str, Any]) -> Board:
    """The channel connected to a board whose "Pay by card" is blocked by another issue."""
    kind, em = tracker
    if kind == "jira":
        _, story, blocker, _ = seed_board(em)
        await jira_connected(slack, em)
        return Board("Jira", em, story, blocker)
    _, provider, story, _ = seed(em)
    await github_connected(slack, em)
    return Board("GitHub", em, story, provider)


async def form(slack: LocalStack, number: int) -> Any:
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    assert view is not None and view.callback_id == "item_edit"
    return view


def prefilled(view: Any) -> str:
    [block] = [b for b in view.view["blocks"] if b.get("block_id") == "dependencies"]
    return str(block["element"].get("initial_value", ""))


async def test_a_saved_form_keeps_the_trackers_dependency_and_its_removal_there_clears_it(
    slack, tracker
):
    board = await connected(slack, tracker)
    number = (await item_by_key(slack, board.blocked)).number
    view = await form(slack, number)
    assert prefilled(view) == f"[ ] {board.blocker}"

    await slack.driver.submit(
        view, {"Dependencies": f"[ ] {board.blocker}\n[ ] legal sign-off"}, user=PO
    )
    await drain(slack)

    item = await item_by_key(slack, board.blocked)
    assert item.dependencies == [
        {"text": "legal sign-off", "resolved": False},
        {"text": board.blocker, "resolved": False, "tracker": board.blocker},
    ] or item.dependencies == [
        {"text": board.blocker, "resolved": False, "tracker": board.blocker},
        {"text": "legal sign-off", "resolved": False},
    ]

    board.unlink()
    await later(slack, SYNC)

    item = await item_by_key(slack, board.blocked)
    assert item.dependencies == [{"text": "legal sign-off", "resolved": False}]
    answer = shown(await backlog(slack, f"show {number}"))
    assert f"depends on {board.blocker}" not in answer, answer


@pytest.mark.parametrize("typed", ["[ ] legal sign-off", ""], ids=["replaced", "emptied"])
async def test_removing_the_trackers_line_in_the_form_is_refused_under_the_field(
    slack, tracker, typed
):
    board = await connected(slack, tracker)
    number = (await item_by_key(slack, board.blocked)).number
    view = await form(slack, number)

    ack = await slack.driver.submit(view, {"Dependencies": typed}, user=PO)

    assert ack.json["response_action"] == "errors", ack.json
    said = str(ack.json["errors"]["dependencies"])
    assert said.startswith(
        f"{board.blocker} comes from {board.name}'s links: remove the link there"
    ), said
    assert slack.emulator.open_view(PO) is view, "the form stays open with what was typed"
    item = await item_by_key(slack, board.blocked)
    assert item.dependencies == [
        {"text": board.blocker, "resolved": False, "tracker": board.blocker}
    ]


async def test_ticking_the_trackers_line_is_refused(slack, tracker):
    board = await connected(slack, tracker)
    number = (await item_by_key(slack, board.blocked)).number
    view = await form(slack, number)

    ack = await slack.driver.submit(view, {"Dependencies": f"[x] {board.blocker}"}, user=PO)

    assert ack.json["response_action"] == "errors", ack.json
    said = str(ack.json["errors"]["dependencies"])
    assert said.startswith(f"{board.blocker} comes from {board.name}'s links"), said
    assert f"resolved when {board.blocker} is done there" in said


async def test_after_a_disconnect_the_line_is_timeboxs_to_remove(slack, jira):
    _, story, _, _ = seed_board(jira)
    await jira_connected(slack, jira)
    number = (await item_by_key(slack, story)).number
    await disconnected(slack)
    view = await form(slack, number)

    ack = await slack.driver.submit(view, {"Dependencies": "[ ] legal sign-off"}, user=PO)

    assert ack.json is None or ack.json.get("response_action") != "errors", ack.json
    item = await item_by_key(slack, story)
    assert item.dependencies == [{"text": "legal sign-off", "resolved": False}]
