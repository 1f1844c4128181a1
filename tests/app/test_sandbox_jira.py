"""`timebox sandbox --jira`: #team-demo connected to a local Jira board, with no Atlassian
account; an edit on the board reaches `/backlog` through its webhook."""

from __future__ import annotations

import json
from pathlib import Path

from bot.runtime.secrets import generate_key
from bot.sandbox.seed import CHANNEL, PO, WORKSPACE
from bot.sandbox.server import Sandbox
from tests.app.test_sandbox import fixed_clock


async def test_the_sandbox_starts_a_jira_board_connected_to_the_demo_channel(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("TIMEBOX_SECRET_KEY", generate_key())
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", "")
    sandbox = await Sandbox(
        tmp_path / "sandbox.db", clock=fixed_clock(), tick=None, jira=True
    ).start()
    try:
        jira = sandbox.jira
        assert jira is not None
        async with sandbox.db.transaction() as store:
            team = await store.team(WORKSPACE, CHANNEL)
            connection = await store.connection(team.id)
            assert connection is not None and connection.status == "connected"
            items = await store.all_items(team.id, include_closed=False)
        keys = [i.tracker_link.key for i in items if i.tracker_link is not None]
        assert keys == jira.backlog_keys(), "the board first, in its order"

        await sandbox.command(PO.id, CHANNEL, "/backlog")
        listed = json.dumps([e.blocks for e in sandbox.emulator.ephemerals(CHANNEL, PO.id)])
        assert f"{jira.url}/browse/DEMO-3|DEMO-3" in listed and "Pay by card" in listed

        jira.auto_webhooks = False  # delivered here, so the test knows when
        jira.edit("DEMO-3", summary="Pay by card or wallet")
        await jira.deliver_webhooks()
        assert [h.deliveries for h in jira.webhooks] == [[204]]
        await sandbox.run_due()
        await sandbox.command(PO.id, CHANNEL, "/backlog")
        listed = json.dumps([e.blocks for e in sandbox.emulator.ephemerals(CHANNEL, PO.id)][-1])
        assert "Pay by card or wallet" in listed
    finally:
        await sandbox.stop()
