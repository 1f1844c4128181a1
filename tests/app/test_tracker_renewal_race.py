# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A connection's break and its end, against what is already running, through the real app,
the Slack emulator and Jira's: a sync whose calls carry the revoked token while the Product
Owner connects again (the credential renewed in place) fails after the renewal, but the
failure is not the renewed connection's (no second break told, nothing an hour on); a break
that a later sync ends by itself makes what waited for the hourly retry due at once, as a
renewal does. And a page of changes costs one transaction."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog
from tests.app.test_tracker_broken_notice import BROKEN, REVOKE, WORKING, told
from tests.app.test_tracker_renew_token import _connection_row, _renew_jira, _until
from tests.app.test_tracker_reopen import SYNC
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later

HOUR = 3600


async def _pending(slack: LocalStack, keys: list[str]) -> list[str]:
    """Which of the due work's `keys` are not done."""
    async with slack.db.transaction() as store:
        rows = [await store.scheduled(key) for key in keys]
    return [row.key for row in rows if row is not None and row.done_at is None]


async def test_syncs_refused_with_the_revoked_token_after_the_renewal_break_nothing(slack, jira):
    seed_board(jira)
    await jira_connected(slack, jira)
    REVOKE["jira"](jira)
    await later(slack, SYNC)
    assert len(told(slack, BROKEN)) == 1 and (await _connection_row(slack))[3] == "error"
    slack.clock.advance(timedelta(seconds=HOUR))  # the hourly retries: two syncs due
    async with slack.db.transaction() as store:
        due = [j.key for j in await store.overdue(slack.clock.now())]
    assert len(due) == 2 and all(key.startswith("tracker_sync:") for key in due), due
    jira.reset_calls()
    jira.delay_next(30, route="search.jql", times=2)  # both on their way, the old token
    sweep = asyncio.create_task(slack.services.jobs.run_due())
    await _until(lambda: sum(bool(c.held) for c in jira.calls_to("search.jql")) == 2)

    await _renew_jira(slack, jira)  # renewed while they are held
    jira.release_held()
    await sweep
    await drain(slack)  # no time passes

    refused = [c for c in jira.calls_to("search.jql") if c.status == 401]
    assert len(refused) == 2, "both failed with the revoked token, after the renewal"
    assert len(told(slack, BROKEN)) == 1, "the renewed connection did not break again"
    assert len(told(slack, WORKING)) == 1
    assert (await _connection_row(slack))[3] == "connected"
    assert await _pending(slack, due) == [], "ran again at once with the new token, not an hour on"


async def test_a_sync_that_ends_the_break_makes_what_waited_due_at_once(slack, jira):
    done, other, *_ = seed_board(jira)
    path, secret = await jira_connected(slack, jira)
    jira.add_webhook(f"{slack.url}{path}", secret)
    _, restore = REVOKE["jira"](jira)
    await backlog(slack, f"done {(await item_by_key(slack, done)).number}")
    await drain(slack)
    assert len(told(slack, BROKEN)) == 1 and jira.issues[done].status != "Done"

    restore()
    jira.edit(other, summary="Edited once the token works again")  # its webhook: a sync now
    assert await jira.deliver_webhooks() == 1
    await drain(slack)  # no time passes

    assert len(told(slack, WORKING)) == 1 and len(told(slack, BROKEN)) == 1
    assert (await item_by_key(slack, other)).title == "Edited once the token works again"
    assert jira.issues[done].status == "Done", "the write that waited landed at once"
    assert (await item_by_key(slack, done)).tracker_link.pending == 0


async def _counted_sync(slack: LocalStack, jira: Any, touched: list[str]) -> tuple[int, int]:
    """`touched` changed in Jira, then the regular sync: its pages, and its transactions."""
    for key in touched:
        jira.touch(key)
    jira.reset_calls()
    began: list[object] = []
    engine = slack.db.engine.sync_engine

    def count(connection: object) -> None:
        began.append(connection)

    event.listen(engine, "begin", count)
    try:
        await later(slack, SYNC)
    finally:
        event.remove(engine, "begin", count)
    return len(jira.calls_to("search.jql")), len(began)


async def test_each_page_of_changes_costs_one_transaction(slack, jira):
    keys = jira.seed(250)
    await jira_connected(slack, jira)
    await later(slack, SYNC)
    await _counted_sync(slack, jira, keys[:1])  # a change since: the watermark past the seed

    one_page, one_began = await _counted_sync(slack, jira, keys[1:2])
    pages, began = await _counted_sync(slack, jira, keys)

    assert pages - one_page == 2, (one_page, pages)  # 100 issues a page
    assert began - one_began == pages - one_page, (one_began, began)
