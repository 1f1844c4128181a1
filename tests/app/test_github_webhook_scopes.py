"""GitHub's webhooks at the scope GitHub documents ("Webhook events and payloads"): a
repository's webhook hears that repository's ``issues`` and never ``projects_v2_item``, whose
availability is organisation webhooks (and Apps) only; an organisation's hears the
``projects_v2_item`` events of every project of the organisation and the ``issues`` of every
repository of it. Before, any webhook the GitHub emulator held heard every event, so the tests
and the sandbox got project item events through a repository's webhook, which GitHub never
sends. Then the app against it: an organisation webhook hears a second project's reorder too,
which Timebox takes (204) and leaves; its own project's reorder reads the order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from tests.app.test_github_sync import connected, seed
from tests.app.test_github_sync import github as github  # the app's fixture
from tests.app.test_github_webhooks import github_hooks
from tests.app.trackers import demo_links, demo_sandbox, drain, items

Received = list[tuple[str, dict[str, Any]]]


@pytest.fixture
async def org_github(clock: ManualClock) -> AsyncIterator[GitHubEmulator]:
    """A GitHub on the test's clock: organisation acme's repository acme/shop with its
    project 1, and acme/ops beside it."""
    async with GitHubEmulator(now=clock.now) as started:
        started.add_repo("acme", "ops")
        yield started


def events_of(received: Received) -> list[tuple[str, str, str]]:
    """Each delivery as (event, action, what it is about: a repository or a project)."""
    return [
        (
            kind,
            body["action"],
            body["repository"]["full_name"]
            if kind == "issues"
            else body["projects_v2_item"]["project_node_id"],
        )
        for kind, body in received
    ]


async def test_a_repository_webhook_hears_its_repositorys_issues_only(
    org_github: GitHubEmulator, clock: ManualClock
) -> None:
    """A webhook of acme/shop: a retitle there is delivered (``repository`` and, the
    repository being an organisation's, ``organization``); the project item's estimate edit
    and reorder are not (organisation webhooks only), nor a retitle in acme/ops."""
    em = org_github
    pay = em.add_issue("Pay by card", estimate=3)
    em.add_issue("Receipt")
    ops = em.add_issue("Rotate the keys", repo="acme/ops", in_project=False)
    async with github_hooks(em, clock) as received:
        em.edit(pay.key, title="Pay by card or wallet")
        em.edit(pay.key, estimate=5)
        em.move(pay.key, 1)
        em.edit(ops.key, title="Rotate the signing keys")
        assert await em.deliver_webhooks() == 1

    assert events_of(received) == [("issues", "edited", "acme/shop")]
    [(_, body)] = received
    assert body["issue"]["title"] == "Pay by card or wallet"
    assert body["organization"]["login"] == "acme"
    assert [h.events for h in em.webhooks] == [("issues",)]


async def test_a_transfer_is_told_to_the_old_repositorys_webhook(
    org_github: GitHubEmulator, clock: ManualClock
) -> None:
    """GitHub sends ``transferred`` from the repository the issue left: its ``repository``
    and ``issue`` as they were there, the new ones in ``changes``."""
    em = org_github
    moving = em.add_issue("Rotate the keys")
    async with github_hooks(em, clock) as received:
        moved = em.transfer(moving.key, "acme/ops")
        assert await em.deliver_webhooks() == 1

    [(kind, body)] = received
    assert (kind, body["action"]) == ("issues", "transferred")
    assert body["repository"]["full_name"] == "acme/shop"
    assert body["issue"]["number"] == moving.number
    assert body["changes"]["new_repository"]["full_name"] == "acme/ops"
    assert body["changes"]["new_issue"]["number"] == moved.number


def test_a_repository_webhook_for_project_items_is_refused(org_github: GitHubEmulator) -> None:
    """GitHub offers ``projects_v2_item`` to organisation webhooks only: a test asking a
    repository's webhook for it is told so, and nothing is registered."""
    em = org_github
    with pytest.raises(ValueError, match="organisation webhooks only"):
        em.add_webhook("http://127.0.0.1:9/hook", "s", ("issues", "projects_v2_item"))
    with pytest.raises(ValueError, match="sends no 'push'"):
        em.add_webhook("http://127.0.0.1:9/hook", "s", ("push",), organization=True)
    assert em.webhooks == []


async def test_an_organisation_webhook_hears_every_project_and_repository_of_it(
    org_github: GitHubEmulator, clock: ManualClock
) -> None:
    """acme's webhook hears a reorder in each of acme's two projects (each delivery naming
    its project, with ``organization`` and no ``repository``) and a retitle in each of its
    repositories; another organisation's webhook hears nothing of acme."""
    em = org_github
    first = em.project
    assert first is not None
    pay = em.add_issue("Pay by card")
    receipt = em.add_issue("Receipt")
    ops = em.add_issue("Rotate the keys", repo="acme/ops", in_project=False)
    second = em.add_project("acme", 2, "Ops board")
    em.add_item(ops.key, second)
    em.add_item(pay.key, second)
    async with (
        github_hooks(em, clock, organization=True) as received,
        github_hooks(em, clock, organization="globex") as elsewhere,
    ):
        em.move(receipt.key, 0)
        em.move(pay.key, 0, project=second)
        em.edit(ops.key, title="Rotate the signing keys")
        em.edit(pay.key, title="Pay by card or wallet")
        assert await em.deliver_webhooks() == 4

    assert events_of(received) == [
        ("projects_v2_item", "reordered", first.id),
        ("projects_v2_item", "reordered", second.id),
        ("issues", "edited", "acme/ops"),
        ("issues", "edited", "acme/shop"),
    ]
    reordered = received[1][1]
    assert reordered["projects_v2_item"]["node_id"] == em.item(pay.key, second).id
    assert reordered["projects_v2_item"]["content_node_id"] == pay.node_id
    assert reordered["organization"]["login"] == "acme" and "repository" not in reordered
    assert all(body["organization"]["login"] == "acme" for _, body in received)
    assert elsewhere == []
    assert em.project_keys() == [receipt.key, pay.key], "the first project's order"
    assert em.project_keys(second) == [pay.key, ops.key]


async def _new_jobs(slack: LocalStack, before: set[str]) -> list[dict[str, Any]]:
    """The payloads of the jobs not among the keys ``before``."""
    async with slack.db.transaction() as store:
        return [job.payload for job in await store.jobs() if job.key not in before]


async def _job_keys(slack: LocalStack) -> set[str]:
    async with slack.db.transaction() as store:
        return {job.key for job in await store.jobs()}


async def test_the_app_takes_its_own_projects_reorder_and_leaves_the_others(
    slack: LocalStack, github: GitHubEmulator
) -> None:
    """The channel connected to acme's project 1; the connection's address and secret as an
    organisation webhook for Projects v2 items, as the connect answer says. A drag in acme's
    project 2 reaches it (204) and asks no sync, the backlog's order stays; a drag in project
    1 asks for a sync that reads the order, and the backlog follows it."""
    bug, provider, story, task = seed(github)
    path, secret = await connected(slack, github)
    hook = github.add_webhook(
        f"{slack.url}{path}", secret, ("projects_v2_item",), organization=True
    )
    other = github.add_project("acme", 2, "Ops board")
    github.add_item(task, other)
    github.add_item(story, other)
    order = [i.tracker_link.key for i in await items(slack) if i.tracker_link]
    assert order == [bug, provider, story, task]
    slack.clock.advance(timedelta(seconds=5))

    before = await _job_keys(slack)
    github.move(story, 0, project=other)
    assert await github.deliver_webhooks() == 1
    assert hook.deliveries == [204]
    assert await _new_jobs(slack, before) == [], "another project's reorder: no sync"
    await drain(slack)
    assert [i.tracker_link.key for i in await items(slack) if i.tracker_link] == order

    before = await _job_keys(slack)
    github.move(task, 0)
    assert await github.deliver_webhooks() == 1
    assert hook.deliveries == [204, 204]
    [asked] = await _new_jobs(slack, before)
    assert asked.get("keys") is True, "its own project's reorder: the order is read"
    await drain(slack)
    keys = [i.tracker_link.key for i in await items(slack) if i.tracker_link]
    assert keys == [task, bug, provider, story] == github.project_keys()[:4]


async def test_the_sandbox_hears_a_drag_in_its_github_project_by_an_organisation_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`timebox sandbox --github` registers what the connect answer asks for: the
    repository's webhook for Issues and the organisation's for Projects v2 items. A drag in
    the demo project reaches the organisation's only, and the demo backlog follows it."""
    async with demo_sandbox(tmp_path, monkeypatch, "github") as sandbox:
        em = sandbox.github
        assert em is not None
        scopes = [(h.repository, h.organization, h.events) for h in em.webhooks]
        assert scopes == [("demo/shop", None, ("issues",)), (None, "demo", ("projects_v2_item",))]
        _, keys = await demo_links(sandbox)
        em.auto_webhooks = False  # delivered here, so the test knows when
        sandbox.clock.advance(timedelta(seconds=5))
        em.move(keys[-1], 0)
        assert await em.deliver_webhooks() == 1
        assert [h.deliveries for h in em.webhooks] == [[], [204]]
        await sandbox.run_due()
        _, after = await demo_links(sandbox)
        assert after == [keys[-1], *keys[:-1]] == em.backlog_keys()
