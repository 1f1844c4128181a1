# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""What a tracker webhook or the import costs when things go wrong outside Timebox.

Junk deliveries to a tracker's webhook route (unsigned, badly signed, signed with another
secret, under another tracker's route, too big, to no connection) are refused and leave no
work behind; an issue deleted in Jira while the import waits between pages costs no other
issue, although Jira's ``startAt`` offsets shift under it. (Moved from QA pass 10.)"""

from __future__ import annotations

import json

import aiohttp

from bot.domain.tracker_webhooks import sign
from bot.usecases import tracker_connect as connect_uc
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import connect, jira, seed_board  # noqa: F401
from tests.app.trackers import drain, items, later


async def test_an_issue_deleted_in_jira_while_the_import_waits_costs_no_other_issue(slack, jira):
    """250 issues imported 100 a page (startAt offsets). Page 2 fails (a 503); meanwhile an
    issue of page 1 is deleted in Jira, so every later issue moves up one place: the issue
    that stood first on page 2 now stands last on page 1, already read."""
    keys = jira.seed(250)
    assert isinstance(await connect(slack, jira), connect_uc.Connected)
    jira.fail_next(503, route="board.backlog", after=1)
    await drain(slack)
    assert len(await items(slack)) == 100
    jira.delete(keys[10])
    await later(slack, 10)
    await later(slack, 301)  # the regular sync
    linked = {i.tracker_link.key for i in await items(slack) if i.tracker_link is not None}
    missing = [k for k in keys if k != keys[10] and k not in linked]
    assert missing == [], f"never imported, never synced: {missing}"


async def jobs_count(slack) -> int:
    async with slack.db.transaction() as store:
        return len(await store.jobs())


async def post_raw(slack, path: str, body, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{slack.url}{path}", data=body, headers=headers) as answer,
    ):
        return answer.status


async def test_junk_webhook_deliveries_cost_nothing(slack, jira, caplog):
    """Unsigned, badly signed, signed with another secret, under another tracker's route,
    too big (with a length, or chunked without one), or to no connection: each is refused
    and leaves no work behind."""
    seed_board(jira)
    path, secret = await connected(slack, jira)
    await drain(slack)
    before = await jobs_count(slack)
    body = json.dumps({"webhookEvent": "jira:issue_updated", "issue": {"key": "TB-1"}}).encode()
    big = b"{" + b" " * (2 << 20) + b"}"

    async def chunks():
        for _ in range(40):
            yield b" " * 65536

    token = path.rsplit("/", 1)[1]
    cases = [
        (path, body, {}, 401),
        (path, body, {"X-Hub-Signature": "sha256=" + "0" * 64}, 401),
        (path, body, {"X-Hub-Signature": sign("jira", "not-the-secret", body)}, 401),
        (path, body, {"X-Hub-Signature": sign("jira", secret, body)[7:]}, 401),
        (path, body, {"X-Hub-Signature-256": sign("github", secret, body)}, 401),
        (
            f"/trackers/github/{token}",
            body,
            {"X-Hub-Signature-256": sign("github", secret, body)},
            401,
        ),
        (
            f"/trackers/linear/{token}",
            body,
            {"Linear-Signature": sign("linear", secret, body)},
            401,
        ),
        (path + "x", body, {"X-Hub-Signature": sign("jira", secret, body)}, 401),
        (path, big, {"X-Hub-Signature": sign("jira", secret, big)}, 413),
        (path, chunks(), {"X-Hub-Signature": "sha256=" + "0" * 64}, 413),
    ]
    for where, data, headers, status in cases:
        got = await post_raw(slack, where, data, headers)
        assert got == status, (where, headers, got)
    assert await jobs_count(slack) == before
    assert await drain(slack) == 0
