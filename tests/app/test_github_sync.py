"""A channel connected to a GitHub project through the real app, the Slack emulator and the
GitHub emulator (started beside Slack by the local stack): the choice of tracker and the form,
the import in the project's order, an edit on GitHub coming back by a signed webhook, and a
badly signed one changing nothing (an estimate from poker and a reorder landing in the project:
test_tracker_slack.py, alike for each tracker)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

import aiohttp
from sqlalchemy import text

from bot.domain import tracker_sync as rules
from bot.domain import tracker_writes
from bot.domain.tracker_webhooks import sign
from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.trackers import (
    backlog_text,
    beside_slack_fixture,
    connect_by_form,
    connected_as_po,
    drain,
    github_form,
    item_by_key,
    later,
    only_the_signed_webhook_counts,
    roles,
    webhook_of,
)
from tests.conftest import CHANNEL, DEV1, PO

github = beside_slack_fixture("github")


def seed(github: GitHubEmulator) -> list[str]:
    """Four open issues in the project's order (the bug dragged to the top)."""
    provider = github.add_issue("Set up the payment provider", estimate=3)
    story = github.add_issue(
        "Pay by card",
        body=f"Card payments.\n\nBlocked by #{provider.number}\n\n## Acceptance criteria\n- Visa",
        estimate=5,
        status="In Progress",
    )
    bug = github.add_issue("Receipt shows the wrong VAT", labels=["bug"])
    task = github.add_issue("Upgrade the TLS library")
    github.add_issue("Shipped long ago", state="closed")
    github.move(bug.key, 0)
    return [bug.key, provider.key, story.key, task.key]


async def submit(slack: LocalStack, github: GitHubEmulator, **values: str) -> str:
    """The GitHub form filled in (``values`` changed) and sent: the private answer."""
    return await connect_by_form(slack, "GitHub", github_form(github) | values)


async def connected(slack: LocalStack, github: GitHubEmulator) -> tuple[str, str]:
    """Connects the channel as its PO and imports the project; (webhook path, secret)."""
    return await connected_as_po(
        slack, "github", partial(submit, slack, github), "GitHub project *Shop roadmap*"
    )


async def test_connecting_imports_the_project_in_its_order_with_linked_keys(slack, github):
    bug, _, story, _ = seed(github)
    await connected(slack, github)
    listed = await backlog_text(slack)
    titles = ["Receipt shows the wrong VAT", "Set up the payment provider", "Pay by card"]
    positions = [listed.index(t) for t in [*titles, "Upgrade the TLS library"]]
    assert positions == sorted(positions), "the project's order"
    assert "Shipped long ago" not in listed
    assert f"<{github.url}/acme/shop/issues/{bug.split('#')[1]}|{bug}>" in listed
    pay = await item_by_key(slack, story)
    assert pay.estimate == 5 and pay.acceptance_criteria == ["Visa"]
    number = pay.number
    await slack.driver.command("/backlog", f"show {number}", user=PO, channel=CHANNEL)
    item = shown(last_ephemeral(slack, PO))
    url = f"{github.url}/acme/shop/issues/{story.split('#')[1]}"
    assert f"*GitHub:* <{url}|{story}>" in item
    assert "In Progress" in item
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    status = shown(last_ephemeral(slack, DEV1))
    assert "Connected to GitHub project *Shop roadmap* (acme/shop, project 1, http" in status
    assert "Linked items: 4" in status and github.token not in status
    assert len(github.calls_to("graphql.createProjectV2Field")) == 0, "the field was there"


async def test_the_form_refuses_in_plain_words_and_stores_nothing(slack, github):
    await roles(slack)
    answer = await submit(slack, github, **{"Token or App private key": "not-a-token"})
    assert "did not connect this channel to GitHub" in answer
    assert "GitHub did not accept the token" in answer
    answer = await submit(slack, github, **{"Project number": "7"})
    assert "cannot open project 7 of acme" in answer
    answer = await submit(slack, github, **{"API address": "http://169.254.169.254"})
    assert "is not a GitHub site" in answer or "https://" in answer
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert await store.connection(team.id) is None, "nothing stored"


async def test_only_the_po_or_the_scrum_master_may_choose_a_tracker(slack, github):
    await roles(slack)
    await slack.driver.command("/timebox", "connect", user=DEV1, channel=CHANNEL)
    refusal = shown(last_ephemeral(slack, DEV1))
    assert "connect this channel to Jira, GitHub or Linear" in refusal
    await slack.driver.command("/timebox", "connect github", user=DEV1, channel=CHANNEL)
    assert slack.emulator.open_view(DEV1) is None


async def test_an_edit_on_github_comes_back_by_a_signed_webhook_only(slack, github):
    _, _, story, _ = seed(github)
    path, secret = await connected(slack, github)
    await only_the_signed_webhook_counts(
        slack,
        github,
        path,
        secret,
        f"/trackers/jira/{path.rsplit('/', 1)[1]}",
        partial(github.edit, story, title="Pay by card or wallet"),
    )

    # GitHub sends project item events to organisation webhooks only: the same address and
    # secret there, as the connect answer says
    github.add_webhook(f"{slack.url}{path}", secret, ("projects_v2_item",), organization=True)
    slack.clock.advance(timedelta(seconds=5))
    github.edit(story, estimate=13)  # a projects_v2_item event
    assert await github.deliver_webhooks() == 1, "to the organisation's webhook only"
    assert github.webhooks[-1].deliveries == [204]
    await drain(slack)
    assert (await item_by_key(slack, story)).estimate == 13

    async with slack.db.transaction() as store:
        before = len(await store.jobs())
    body = json.dumps({"action": "edited", "issue": {"number": 3}}).encode()
    async with aiohttp.ClientSession() as http:
        for headers in (
            {},
            {"X-Hub-Signature-256": sign("github", "not-the-secret", body)},
            {"X-Hub-Signature": sign("jira", secret, body)},  # Jira's header: not GitHub's
        ):
            answer = await http.post(f"{slack.url}{path}", data=body, headers=headers)
            assert answer.status == 401
        async with slack.db.transaction() as store:
            assert len(await store.jobs()) == before, "a refused call changes nothing"
        slack.clock.advance(timedelta(seconds=5))
        good = {"X-Hub-Signature-256": sign("github", secret, body)}
        assert (await http.post(f"{slack.url}{path}", data=body, headers=good)).status == 204
    async with slack.db.transaction() as store:
        assert len(await store.jobs()) == before + 1, "the signed call asked for a sync"


async def test_every_text_of_a_github_item_names_github_never_jira(slack, github):
    """A write waiting, its trouble, and the item's history name the channel's tracker."""
    _, _, story, _ = seed(github)
    await connected(slack, github)
    github.edit(story, title="Pay by card or wallet")
    await later(slack, 301)
    github.fail_next(503, route="graphql.createIssue")
    await slack.driver.command("/backlog", "add Apple Pay", user=DEV1, channel=CHANNEL)
    await drain(slack)

    listed = await backlog_text(slack)
    assert (
        "not yet in GitHub: retrying (GitHub answered HTTP 503, a problem on its side)" in listed
    ), listed
    number = (await item_by_key(slack, story)).number
    await slack.driver.command("/backlog", f"show {number}", user=PO, channel=CHANNEL)
    item = shown(last_ephemeral(slack, PO))
    assert "GitHub edited title" in item and "imported from GitHub" in item, item
    assert "GitHub imported" not in item, "the history names the tracker once"
    assert "Jira" not in listed + item
    await later(slack, 10)
    assert "not yet in GitHub" not in await backlog_text(slack), "the retry landed"


def test_the_rules_name_the_connections_tracker():
    """What the engine writes for a GitHub connection: GitHub's side of a conflict, a write
    waiting for GitHub, GitHub as who changed an item; and the sync's own edits, of any
    tracker, are never taken for a person's."""
    at, later_at = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC)
    base, ours, theirs = {"title": "Pay"}, {"title": "Ours"}, {"title": "Theirs"}
    [kept_theirs] = rules.merge(
        ours, base, theirs, later_at, {"title": at}, tracker="GitHub"
    ).conflicts
    assert kept_theirs.kept == "GitHub" and "GitHub's is kept" in kept_theirs.note()
    [kept_ours] = rules.merge(
        ours, base, theirs, at, {"title": later_at}, tracker="GitHub"
    ).conflicts
    assert kept_ours.note().endswith("so Timebox's is kept and written to GitHub")
    assert tracker_writes.pending_text(1, "GitHub asked to wait", "GitHub") == (
        "not yet in GitHub: retrying (GitHub asked to wait)"
    )
    assert tracker_writes.pending_text(2, None, "Linear") == "not yet in Linear: sending"
    assert [rules.actor(k) for k in ("jira", "github", "linear")] == ["jira", "github", "linear"]

    @dataclass
    class Event:
        actor: str
        at: datetime
        action: str = "edited"
        changes: dict = field(default_factory=lambda: {"title": ["a", "b"]})

    events = [Event("github", later_at), Event("linear", later_at), Event("U0PO", at)]
    assert rules.local_change_times(events, None) == {"title": at}


async def test_changes_without_a_webhook_come_with_the_reconcile(slack, github):
    bug, *_ = seed(github)
    await connected(slack, github)
    github.edit(bug, title="Receipt shows the wrong VAT rate")
    github.reset_calls()
    await later(slack, 301)
    assert "Receipt shows the wrong VAT rate" in await backlog_text(slack)
    assert len(github.calls_to("graphql.nodes")) == 1, "only what changed is read in full"


async def test_the_token_is_encrypted_at_rest(slack, github):
    seed(github)
    await connected(slack, github)
    async with slack.db.session() as session:
        rows = (await session.execute(text("SELECT secret FROM tracker_connections"))).all()
    assert github.token not in json.dumps([list(r) for r in rows])
    assert rows[0][0].startswith("gAAAA"), "a Fernet token"


async def test_an_organisation_webhooks_delivery_about_another_project_asks_no_sync(slack, github):
    """GitHub sends project item events to organisation webhooks only, for every project of
    the organisation: the connection's answer says to add one there; a delivery about another
    project is taken (204) and asks nothing, one about the connection's project asks for a
    sync that reads the order."""
    seed(github)
    await roles(slack)
    answer = await submit(slack, github)
    assert "as an organisation webhook" in answer and "*Projects v2 items*" in answer, answer
    assert "for the event *Issues*" in answer, "the repository's webhook"
    path, secret = await webhook_of(slack, "github", answer)

    async def deliver(project_node_id: str) -> list[dict]:
        event = {"projects_v2_item": {"project_node_id": project_node_id}, "action": "reordered"}
        body = json.dumps({**event, "organization": {"login": "acme"}}).encode()
        headers = {"X-Hub-Signature-256": sign("github", secret, body)}
        async with slack.db.transaction() as store:
            before = {job.key for job in await store.jobs()}
        async with aiohttp.ClientSession() as http:
            assert (await http.post(f"{slack.url}{path}", data=body, headers=headers)).status == 204
        async with slack.db.transaction() as store:
            return [job.payload for job in await store.jobs() if job.key not in before]

    assert await deliver("PVT_another_project") == [], "another project's: no sync"
    assert github.project is not None
    [asked] = await deliver(github.project.id)
    assert asked.get("keys") is True, "the project's own reorder: its order is read"
