# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""Tracker webhooks through the real app (its signed routes, its due work) and the emulators:
a signed deletion from GitHub or Linear unlinks its item only once the tracker answers
NOT_FOUND, and every distinct delivery gets a sync (however close together) while an identical
replay adds no work; deliveries waiting when one's sync starts are taken into it."""

from __future__ import annotations

import json
from collections import Counter

import aiohttp

from bot.domain.tracker_webhooks import WEBHOOKS, sign
from bot.emulator.github import GitHubEmulator
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect as connect_uc
from storage.models import BacklogItem, ScheduledJob
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_sync import connect, history, jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, items, roles, webhook_of


async def post(slack: LocalStack, kind: str, path: str, secret: str, event: dict) -> int:
    """A delivery as the tracker sends it: the JSON body signed in the kind's header."""
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", WEBHOOKS[kind].header: sign(kind, secret, body)}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{slack.url}{path}", data=body, headers=headers) as answer,
    ):
        return answer.status


async def hook_jobs(slack: LocalStack) -> list[ScheduledJob]:
    async with slack.db.transaction() as store:
        return [j for j in await store.jobs(tracker_uc.KIND_SYNC) if ":hook:" in j.key]


async def archived(slack: LocalStack, item_id: int) -> BacklogItem:
    """The item, archived or not, with its link."""
    [found] = [i for i in await items(slack, include_closed=True) if i.id == item_id]
    return found


# -- deletions named by a signed webhook ----------------------------------------------------------


def github_deletion(key: str) -> dict:
    repo, number = key.split("#")
    return {
        "action": "deleted",
        "issue": {"number": int(number), "title": "whatever the body says"},
        "repository": {"full_name": repo},
    }


async def test_a_signed_github_deletion_unlinks_the_item_once_github_says_not_found(
    slack, github: GitHubEmulator
):
    bug, _, story, _ = seed(github)
    path, secret = await github_connected(slack, github)
    card = await item_by_key(slack, bug)

    # A deletion naming an issue GitHub still has: asked for, found, nothing changes.
    assert await post(slack, "github", path, secret, github_deletion(story)) == 204
    await drain(slack)
    assert [c.status for c in github.calls_to("issues.get")] == [200]
    assert (await item_by_key(slack, story)).tracker_link.connection_id is not None

    github.project.items.remove(github.item(bug))  # deleted on GitHub
    github.repository.issues.pop(int(bug.split("#")[1]))
    assert await post(slack, "github", path, secret, github_deletion(bug)) == 204
    await drain(slack)

    assert [c.status for c in github.calls_to("issues.get")] == [200, 404]
    gone = await archived(slack, card.id)
    assert gone.archived_at is not None and gone.tracker_link.connection_id is None
    *_, (who, action, changes) = await history(slack, gone)
    assert (who, action, changes["key"]) == ("github", "unlinked", bug)
    assert changes["note"].startswith(
        f"{bug} was deleted in GitHub (or the GitHub account can no longer see it), noticed on "
    )


async def test_a_signed_linear_removal_unlinks_the_item_once_linear_says_not_found(
    slack, linear: LinearEmulator
):
    keys = [linear.add_issue(title).identifier for title in ("Pay by card", "Receipt", "TLS")]
    await roles(slack)
    answer = await connect_linear(slack, linear)
    path, secret = await webhook_of(slack, "linear", answer)
    linear.add_webhook(f"{slack.url}{path}", secret)
    card = await item_by_key(slack, keys[1])

    linear.remove_issue(keys[1])  # to Linear's trash: NOT_FOUND for the sync, as deleted
    assert await linear.deliver_webhooks() == 1
    assert linear.webhooks[0].deliveries == [204]
    await drain(slack)

    gone = await archived(slack, card.id)
    assert gone.archived_at is not None and gone.tracker_link.connection_id is None
    *_, (who, action, changes) = await history(slack, gone)
    assert (who, action, changes["key"]) == ("linear", "unlinked", keys[1])
    assert f"{keys[1]} was deleted in Linear" in changes["note"]
    for key in (keys[0], keys[2]):
        assert (await item_by_key(slack, key)).tracker_link.connection_id is not None
    [sync] = await hook_jobs(slack)
    assert sync.outcome.endswith(" 1 unlinked"), sync.outcome


# -- one sync per delivery, none per replay -------------------------------------------------------


async def jira_with_hooks(slack: LocalStack, jira: JiraEmulator) -> tuple[str, str]:
    done = await connect(slack, jira)
    assert isinstance(done, connect_uc.Connected), done
    path, secret = done.webhook_path, done.webhook_secret.reveal()
    jira.add_webhook(f"{slack.url}{path}", secret)
    await drain(slack)
    jira.reset_calls()
    return path, secret


async def test_each_delivery_gets_a_sync_even_in_the_same_second_and_a_replay_none(slack, jira):
    bug, story, *_ = seed_board(jira)
    path, secret = await jira_with_hooks(slack, jira)

    jira.edit(story, summary="Pay by card or wallet")
    assert await jira.deliver_webhooks() == 1
    await drain(slack)
    jira.edit(bug, summary="Receipt shows VAT twice")  # the same second: no time passes
    assert await jira.deliver_webhooks() == 1
    await drain(slack)

    assert (await item_by_key(slack, story)).title == "Pay by card or wallet"
    assert (await item_by_key(slack, bug)).title == "Receipt shows VAT twice", "not dropped"
    assert [j.done_at is not None for j in await hook_jobs(slack)] == [True, True]
    assert Counter(c.route for c in jira.calls) == {"search.jql": 2}

    replayed = {"webhookEvent": "jira:issue_updated", "issue": {"key": story}, "timestamp": 1}
    assert await post(slack, "jira", path, secret, replayed) == 204
    assert await post(slack, "jira", path, secret, replayed) == 204  # waiting: nothing more
    assert len(await hook_jobs(slack)) == 3
    await drain(slack)
    assert await post(slack, "jira", path, secret, replayed) == 204  # done: nothing more
    assert len(await hook_jobs(slack)) == 3 and await drain(slack) == 0
    assert Counter(c.route for c in jira.calls) == {"search.jql": 3}


async def test_deliveries_waiting_when_a_sync_starts_are_taken_into_it(slack, jira):
    bug, story, *_ = seed_board(jira)
    await jira_with_hooks(slack, jira)
    card = await item_by_key(slack, bug)

    jira.edit(story, summary="Pay by card or wallet")
    jira.delete(bug)
    assert await jira.deliver_webhooks() == 2
    assert len(await hook_jobs(slack)) == 2, "one row per delivery"
    await drain(slack)

    assert Counter(c.route for c in jira.calls) == {"search.jql": 1, "issue.get": 1}
    assert (await item_by_key(slack, story)).title == "Pay by card or wallet"
    assert (await archived(slack, card.id)).tracker_link.connection_id is None
    ran, absorbed = sorted(await hook_jobs(slack), key=lambda j: j.outcome.startswith("abs"))
    assert ran.outcome.endswith(" changed, 1 unlinked"), "one walk, the deletion asked for"
    assert absorbed.outcome == f"absorbed by {ran.key}"
