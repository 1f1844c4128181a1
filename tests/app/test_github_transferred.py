# ruff: noqa: F811  (the client fixtures are imported from test_github_client)
"""An issue transferred to another repository, against the GitHub emulator (which answers a
transferred issue's old address with ``301 Moved Permanently`` and a ``Location`` on the API,
as GitHub's REST documentation for "Get an issue" says): the client reads it, and writes it,
under its new key, instead of failing with "GitHub answered with a redirect … check the API
address", which no one could act on and which a write took as refused for good."""

from __future__ import annotations

from bot.domain import trackers
from tests.app.test_github_client import github, make_client  # noqa: F401


async def test_reading_a_transferred_issue_gives_it_under_its_new_key(github, make_client):
    github.add_repo("acme", "ops")
    issue = github.add_issue("Rotate the signing keys", labels=["bug"])
    moved = github.transfer(issue.key, "acme/ops")
    client = make_client(project=None)

    found = await client.issue(issue.key)

    assert found.key == moved.key == "acme/ops#1", found.key
    assert found.summary == "Rotate the signing keys" and found.issue_type == "Bug"
    assert github.calls_to("issues.get_by_id"), "the Location was followed"


async def test_a_write_to_a_transferred_issue_lands_on_it(github, make_client):
    github.add_repo("acme", "ops")
    issue = github.add_issue("Rotate the signing keys")
    moved = github.transfer(issue.key, "acme/ops")
    client = make_client(project=None)

    await client.update_issue(issue.key, trackers.IssueUpdate(summary="Rotate the keys yearly"))
    await client.mark_done(issue.key)

    assert github.issue(moved.key).title == "Rotate the keys yearly"
    assert github.issue(moved.key).state == "closed"
    assert github.issue(moved.key).state_reason == "completed"
