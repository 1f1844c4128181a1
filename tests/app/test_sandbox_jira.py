"""`timebox sandbox --jira`: #team-demo connected to a local Jira board, with no Atlassian
account; an edit on the board reaches `/backlog` through its webhook."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.cli import backlog_said
from tests.app.trackers import demo_backlog, demo_backlog_after_webhooks, demo_links, demo_sandbox


async def test_the_sandbox_starts_a_jira_board_connected_to_the_demo_channel(
    tmp_path: Path, monkeypatch
):
    async with demo_sandbox(tmp_path, monkeypatch, "jira") as sandbox:
        jira = sandbox.jira
        assert jira is not None
        connection, keys = await demo_links(sandbox)
        assert connection.status == "connected"
        assert backlog_said(sandbox, fresh=True) == (
            "the backlog of its Jira board, imported as it starts"
        ), "the blurb names the board, not an empty backlog, with --fresh too"
        assert keys == jira.backlog_keys(), "the board first, in its order"
        listed = await demo_backlog(sandbox)
        assert f"{jira.url}/browse/DEMO-3|DEMO-3" in listed and "Pay by card" in listed

        jira.auto_webhooks = False  # delivered here, so the test knows when
        jira.edit("DEMO-3", summary="Pay by card or wallet")
        assert "Pay by card or wallet" in await demo_backlog_after_webhooks(sandbox, jira)
