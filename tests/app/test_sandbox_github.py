"""`timebox sandbox --github` (and `--linear`): #team-demo connected to a local GitHub project
(or Linear team), with no account there; an edit in the project reaches `/backlog` through its
signed webhook."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.runtime.secrets import generate_key
from bot.sandbox.seed import CHANNEL, PO, WORKSPACE
from bot.sandbox.server import Sandbox
from tests.app.test_sandbox import fixed_clock


async def test_the_sandbox_starts_a_github_project_connected_to_the_demo_channel(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("TIMEBOX_SECRET_KEY", generate_key())
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", "")
    sandbox = await Sandbox(
        tmp_path / "sandbox.db", clock=fixed_clock(), tick=None, github=True
    ).start()
    try:
        github = sandbox.github
        assert github is not None
        async with sandbox.db.transaction() as store:
            team = await store.team(WORKSPACE, CHANNEL)
            connection = await store.connection(team.id)
            assert connection is not None and connection.kind == "github"
            assert connection.status == "connected"
            items = await store.all_items(team.id, include_closed=False)
        keys = [i.tracker_link.key for i in items if i.tracker_link is not None]
        assert keys == github.backlog_keys(), "the project first, in its order"

        await sandbox.command(PO.id, CHANNEL, "/backlog")
        listed = json.dumps([e.blocks for e in sandbox.emulator.ephemerals(CHANNEL, PO.id)])
        assert "https://github.com/demo/shop/issues/2|demo/shop#2" in listed
        assert "Pay by card" in listed

        github.auto_webhooks = False  # delivered here, so the test knows when
        sandbox.clock.advance(timedelta(seconds=5))  # a sync of its own, not the import's
        github.edit("demo/shop#2", title="Pay by card or wallet")
        await github.deliver_webhooks()
        assert [h.deliveries for h in github.webhooks] == [[204]]
        await sandbox.run_due()
        await sandbox.command(PO.id, CHANNEL, "/backlog")
        listed = json.dumps([e.blocks for e in sandbox.emulator.ephemerals(CHANNEL, PO.id)][-1])
        assert "Pay by card or wallet" in listed
    finally:
        await sandbox.stop()


async def test_the_sandbox_starts_a_linear_team_connected_to_the_demo_channel(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("TIMEBOX_SECRET_KEY", generate_key())
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", "")
    sandbox = await Sandbox(
        tmp_path / "sandbox.db", clock=fixed_clock(), tick=None, linear=True
    ).start()
    try:
        linear = sandbox.linear
        assert linear is not None
        async with sandbox.db.transaction() as store:
            team = await store.team(WORKSPACE, CHANNEL)
            connection = await store.connection(team.id)
            assert connection is not None and connection.kind == "linear"
            assert connection.status == "connected"
            items = await store.all_items(team.id, include_closed=False)
        keys = [i.tracker_link.key for i in items if i.tracker_link is not None]
        assert keys == linear.backlog_keys(), "the team's backlog first, in its order"
    finally:
        await sandbox.stop()
