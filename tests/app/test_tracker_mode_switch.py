# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Connecting again to a board that keeps a field another way than the board the channel was
connected to (a GitHub project's Estimate field, then the repository alone, whose estimates
are ``estimate: N`` labels), through the real app and the GitHub emulator: a field the new
board shows empty where both sides had agreed on a value is no edit made there, so Timebox
keeps its value and writes it the new board's way; a value the new board does show is
merged as any change is (the later change wins)."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_github_sync import connected, github, submit  # noqa: F401
from tests.app.test_tracker_sync import history
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, PO

SYNC = 300  # seconds on: the next regular sync


def seeded(github: GitHubEmulator) -> list[str]:
    """Three estimated issues (3, 5 and 2 points in the project's Estimate field) and one
    not estimated."""
    keys = [
        github.add_issue("Set up the payment provider", estimate=3).key,
        github.add_issue("Pay by card", estimate=5).key,
        github.add_issue("Receipt shows the wrong VAT", estimate=2).key,
        github.add_issue("Upgrade the TLS library").key,
    ]
    return keys


def labelled_estimate(github: GitHubEmulator, key: str) -> float | None:
    """The estimate the repository holds for ``key``: its ``estimate: N`` label."""
    found = [lab for lab in github.issue(key).labels if lab.startswith("estimate:")]
    assert len(found) <= 1, found
    return float(found[0].split(":")[1]) if found else None


async def switched_to_the_repository(slack: LocalStack, github: GitHubEmulator) -> None:
    """Disconnected from the project, and connected again to its repository alone."""
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    assert "no longer connected" in shown(last_ephemeral(slack, PO))
    await later(slack, 60)
    answer = await submit(slack, github, **{"Project number": ""})
    assert "GitHub repository" in answer, answer
    await drain(slack)
    await later(slack, SYNC)


async def test_switching_from_the_project_to_the_repository_keeps_every_estimate(slack, github):
    keys = seeded(github)
    await connected(slack, github)
    numbers = [(await item_by_key(slack, key)).number for key in keys]
    assert [(await item_by_key(slack, k)).estimate for k in keys] == [3, 5, 2, None]

    await switched_to_the_repository(slack, github)

    for key, points, number in zip(keys, [3, 5, 2, None], numbers, strict=True):
        item = await item_by_key(slack, key)
        assert item.number == number, "matched again, no duplicate"
        assert item.tracker_link.connection_id is not None
        assert item.estimate == points, f"{key} keeps its estimate"
        assert labelled_estimate(github, key) == points, "written the repository's way"
        assert item.tracker_link.pending == 0 and item.tracker_link.error is None
        edits = [c for who, a, c in await history(slack, item) if who == "github" and a == "edited"]
        assert not [c for c in edits if "estimate" in c], "no edit of GitHub's"

    slack.clock.advance(timedelta(seconds=5))
    github.edit(keys[1], labels=["estimate: 8"])  # a real edit, on the new board
    await later(slack, SYNC)
    assert (await item_by_key(slack, keys[1])).estimate == 8, "a later edit there is taken"


async def test_a_value_the_new_board_shows_is_merged_as_any_change(slack, github):
    """The repository holds an estimate label already: it is the board's value, and taken as
    a change made there (Timebox did not change it since both sides agreed)."""
    keys = seeded(github)
    await connected(slack, github)
    issue = github.issue(keys[0])
    github.edit(keys[0], labels=[*issue.labels, "estimate: 8"])  # the project shows 3 still

    await switched_to_the_repository(slack, github)

    item = await item_by_key(slack, keys[0])
    assert item.estimate == 8 and labelled_estimate(github, keys[0]) == 8


async def test_an_estimate_changed_in_timebox_while_apart_is_written_without_a_conflict(
    slack, github
):
    keys = seeded(github)
    await connected(slack, github)
    number = (await item_by_key(slack, keys[1])).number
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    await later(slack, 60)
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    assert view is not None and view.callback_id == "item_edit"
    await slack.driver.submit(view, {"Estimate (story points)": "8"}, user=PO)
    await later(slack, 60)
    answer = await submit(slack, github, **{"Project number": ""})
    assert "GitHub repository" in answer, answer
    await drain(slack)
    await later(slack, SYNC)

    item = await item_by_key(slack, keys[1])
    assert item.estimate == 8 and labelled_estimate(github, keys[1]) == 8
    assert not [a for _, a, _ in await history(slack, item) if a == "conflict"]
