"""The GitHub emulator's ``issues`` webhooks in GitHub's documented shapes (an issue closed is
``closed``, reopened ``reopened``, with ``issue.state`` and ``state_reason``; a retitle is
``edited`` with ``changes``; labels and milestones have their own actions), signed as GitHub
signs; and Timebox taking a close and a reopen on GitHub from those webhooks alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from bot.domain.tracker_webhooks import verified
from bot.emulator.github import GitHubEmulator
from bot.emulator.github_records import GhMilestone
from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from bot.runtime.secrets import Secret
from bot.trackers.github import GitHub, GitHubToken
from tests.app.test_github_sync import connected, seed
from tests.app.test_github_sync import github as github  # the app's fixture
from tests.app.trackers import client_settings, drain, item_by_key

SECRET = "hook-secret"


@asynccontextmanager
async def github_hooks(
    em: GitHubEmulator, clock: ManualClock, **scope: Any
) -> AsyncIterator[list[tuple[str, dict[str, Any]]]]:
    """A receiver of ``em``'s webhooks (signed with ``SECRET``) while open: each delivery's
    ``X-GitHub-Event`` and body; a delivery whose signature does not verify fails the test.
    ``scope``: how the hook is registered (``add_webhook``'s ``organization``, ``events``):
    by default a repository's."""
    received: list[tuple[str, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get("X-Hub-Signature-256")
        assert verified("github", SECRET, body, signature, clock.now()), "signed as GitHub signs"
        received.append((request.headers["X-GitHub-Event"], json.loads(body)))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        em.add_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook", SECRET, **scope)
        yield received
    finally:
        await runner.cleanup()


def issue_events(received: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [body for event, body in received if event == "issues"]


@pytest.fixture
async def repo_github(clock: ManualClock) -> AsyncIterator[GitHubEmulator]:
    """A GitHub with a plain repository (no project), on the test's clock."""
    async with GitHubEmulator(now=clock.now, project_number=None) as started:
        yield started


async def test_closing_and_reopening_send_githubs_closed_and_reopened(
    repo_github: GitHubEmulator, clock: ManualClock, sleeps
) -> None:
    em = repo_github
    issue = em.add_issue("Pay by card")
    client = GitHub(
        em.url,
        GitHubToken(Secret(em.token)),
        em.repository.full_name,
        **client_settings(em.host_setting, clock, sleeps),
    )
    try:
        async with github_hooks(em, clock) as received:
            await client.mark_done(issue.key)  # PATCH state=closed, state_reason=completed
            clock.advance(timedelta(seconds=5))
            await client.reopen(issue.key)  # PATCH state=open, state_reason=reopened
            assert await em.deliver_webhooks() == 2
    finally:
        await client.aclose()

    closed, reopened = issue_events(received)
    assert closed["action"] == "closed", "GitHub says closed, not edited"
    assert closed["issue"]["state"] == "closed"
    assert closed["issue"]["state_reason"] == "completed"
    assert closed["issue"]["closed_at"] is not None
    assert closed["issue"]["number"] == issue.number
    assert closed["repository"]["full_name"] == em.repository.full_name
    assert closed["sender"]["login"] == em.login
    assert reopened["action"] == "reopened"
    assert reopened["issue"]["state"] == "open"
    assert reopened["issue"]["state_reason"] == "reopened"
    assert reopened["issue"]["closed_at"] is None


async def test_each_change_on_github_sends_its_own_action(
    repo_github: GitHubEmulator, clock: ManualClock
) -> None:
    """A person's edits as GitHub reports them: ``edited`` only for the title and body (with
    ``changes``: what they were), a label ``labeled``/``unlabeled`` one by one, a milestone
    ``milestoned``, a close without a reason ``completed``."""
    em = repo_github
    issue = em.add_issue("Pay", labels=["bug"])
    em.repository.milestones[1] = GhMilestone(1, "Sprint 1")
    async with github_hooks(em, clock) as received:
        em.edit(issue.key, title="Pay by card", labels=["payments"])
        em.edit(issue.key, milestone=1)
        em.edit(issue.key, state="closed")
        em.edit(issue.key, title="Pay by card")  # no change: no event
        await em.deliver_webhooks()

    actions = [(e["action"], e.get("label", {}).get("name")) for e in issue_events(received)]
    assert actions == [
        ("edited", None),
        ("labeled", "payments"),
        ("unlabeled", "bug"),
        ("milestoned", None),
        ("closed", None),
    ]
    edited, *_, milestoned, closed = issue_events(received)
    assert edited["changes"] == {"title": {"from": "Pay"}}
    assert edited["issue"]["title"] == "Pay by card"
    assert milestoned["milestone"]["title"] == "Sprint 1"
    assert closed["issue"]["state_reason"] == "completed", "GitHub's reason for a plain close"


async def test_a_close_and_a_reopen_on_github_come_back_by_their_webhooks(
    slack: LocalStack,
    github: GitHubEmulator,
) -> None:
    """Timebox's webhook takes ``closed`` and ``reopened`` as any other signed call: a sync at
    once, which reads the issue (done; then open again) from GitHub."""
    bug, *_ = seed(github)
    path, secret = await connected(slack, github)
    github.add_webhook(f"{slack.url}{path}", secret)

    slack.clock.advance(timedelta(seconds=5))
    github.edit(bug, state="closed", state_reason="completed")
    assert await github.deliver_webhooks() == 1
    await drain(slack)
    assert github.webhooks[0].deliveries == [204]
    assert (await item_by_key(slack, bug)).status == "done"

    slack.clock.advance(timedelta(seconds=5))
    github.edit(bug, state="open")
    assert await github.deliver_webhooks() == 1
    await drain(slack)
    assert github.webhooks[0].deliveries == [204, 204]
    assert (await item_by_key(slack, bug)).status == "open"
