# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue transferred from the connected repository to another one, through the real app,
the Slack emulator and the GitHub emulator (which answers the old address with GitHub's
``301 Moved Permanently``): the hourly look at the board finds it moved, unlinks and archives
its item with a history line naming its new key, as it does for a Jira issue moved to another
project. Before, the client took the 301 as an error ("check the API address"), which is no
NOT_FOUND, so the probe of missing issues failed every hour and no issue left the board. The
history says it moved to another repository (not "project": it may well still be in the team's
GitHub project)."""

from __future__ import annotations

from functools import partial

from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_github_sync import github, submit  # noqa: F401
from tests.app.test_tracker_sync import history
from tests.app.trackers import connected_as_po, drain, items, later

RECONCILE = 61 * 60  # seconds on: the hourly look at the board has asked for the moved issue


async def transferred(slack: LocalStack, github: GitHubEmulator) -> tuple[str, str, dict]:
    """The repository (no project) connected, its first issue transferred to acme/ops and the
    hourly look run: (old key, new key, the item's last history line)."""
    github.add_repo("acme", "ops")
    first = github.add_issue("Rotate the signing keys")
    github.add_issue("Pay by card")
    await connected_as_po(
        slack,
        "github",
        partial(submit, slack, github, **{"Project number": ""}),
        "GitHub repository",
    )
    await drain(slack)
    moved = github.transfer(first.key, "acme/ops")
    await later(slack, RECONCILE)
    [item] = [
        i for i in await items(slack, include_closed=True) if i.title == "Rotate the signing keys"
    ]
    assert item.archived_at is not None and item.tracker_link.connection_id is None
    *_, (who, action, changes) = await history(slack, item)
    assert (who, action, changes["key"]) == ("github", "unlinked", first.key)
    return first.key, moved.key, changes


async def test_a_transferred_issue_is_said_moved_under_its_new_key(slack, github):
    old, new, changes = await transferred(slack, github)
    note = changes["note"]
    assert note.startswith(f"{old} left the board in GitHub on "), note
    assert f"it is {new} now" in note, note


async def test_the_history_says_it_moved_to_another_repository(slack, github):
    _, new, changes = await transferred(slack, github)
    assert f"(moved to another repository: it is {new} now)" in changes["note"]
