"""What the sync takes in besides the import: an issue no item is linked to joins the backlog
only if the tracker's backlog holds it (the import would have taken it); a linked one is
updated whatever its state. And `/timebox connect status` says what is behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator.stack import LocalStack
from bot.sandbox.server import Sandbox
from bot.usecases import tracker as tracker_uc
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_tracker_connect import connect_linear
from tests.app.trackers import (
    WORKSPACE,
    backlog_text,
    beside_slack_fixture,
    demo_backlog,
    demo_links,
    demo_sandbox,
    drain,
    later,
    roles,
    webhook_of,
)
from tests.conftest import CHANNEL, PO

IN_PROGRESS = "Search shows sold-out products"  # the demo's DEMO-7, started in Linear


@pytest.fixture
async def demo(tmp_path: Path, monkeypatch) -> AsyncIterator[Sandbox]:
    """`timebox sandbox --linear`: #team-demo connected to the demo's Linear team."""
    async with demo_sandbox(tmp_path, monkeypatch, "linear") as sandbox:
        yield sandbox


async def test_an_issue_in_progress_in_linear_stays_out_of_the_backlog_after_a_sync(demo):
    linear = demo.linear
    assert linear is not None
    _, keys = await demo_links(demo)
    started = next(k for k, i in linear.issues.items() if i.title == IN_PROGRESS)
    assert started not in keys and IN_PROGRESS not in await demo_backlog(demo)

    linear.auto_webhooks = False  # delivered here, so the test knows when
    linear.edit(started, title=f"{IN_PROGRESS} (again)")
    linear.edit(keys[0], title="Edited in Linear", state="In Progress")
    await linear.deliver_webhooks()
    assert [h.deliveries for h in linear.webhooks] == [[204, 204]]
    await demo.run_due()
    listed = await demo_backlog(demo)

    assert IN_PROGRESS not in listed, "started in Linear: not on its backlog"
    assert "Edited in Linear" in listed, "a linked issue is updated whatever its state"
    assert (await demo_links(demo))[1] == keys


linear = beside_slack_fixture("linear")


async def status_text(slack: LocalStack) -> str:
    await slack.driver.command("/timebox", "connect status", user=PO, channel=CHANNEL)
    return shown(last_ephemeral(slack, PO))


async def test_the_status_is_not_in_step_while_a_write_to_linear_is_refused(slack, linear):
    linear.add_issue("Pay by card", estimate=3)
    await roles(slack)
    await webhook_of(slack, "linear", await connect_linear(slack, linear))
    assert "Status: in step" in await status_text(slack)

    # An estimate kept from before the team's scale changed: off it now (1, 2, 3, 5, 8), so
    # Linear refuses its write (the form and poker refuse such a value when it is set).
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        [item] = await store.all_items(team.id, include_closed=False)
        item.estimate = 13.0
        await tracker_uc.after_estimate(store, team, item, now)
    await drain(slack)
    await later(slack, 6 * 60)  # the next sync reads Linear fine: the write still fails
    status = await status_text(slack)
    assert "Linked items: 1 · 1 refused by Linear, not tried again" in status, status
    assert "in step" not in status, "a write is failing"
    assert "Status: behind: some of Timebox's changes fail to reach Linear" in status
    assert "does not try again (Team Engineering estimates on Linear's Fibonacci scale" in (
        await backlog_text(slack)
    )


async def test_an_item_whose_issue_is_not_created_yet_is_not_counted_as_linked(slack, linear):
    """An item added while Linear answers 503: its issue is still to be created. The status
    counts it as a change on its way, not as a linked item, and a disconnect does not say it
    stays "unlinked" (it never had an issue)."""
    linear.add_issue("Pay by card", estimate=3)
    await roles(slack)
    await webhook_of(slack, "linear", await connect_linear(slack, linear))
    linear.fail_next(503, times=20)
    await slack.driver.command("/backlog", "add Dark mode", user=PO, channel=CHANNEL)
    await drain(slack)
    status = await status_text(slack)
    assert "Linked items: 1 ·" in status, status

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    said = shown(last_ephemeral(slack, PO))
    assert "Its 1 item on the backlog stays there, unlinked;" in said, said
