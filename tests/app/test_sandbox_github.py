"""`timebox sandbox --github` (and `--linear`): #team-demo connected to a local GitHub project
(or Linear team), with no account there; an edit in the project reaches `/backlog` through its
signed webhook."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.app.trackers import demo_backlog, demo_backlog_after_webhooks, demo_links, demo_sandbox


@pytest.mark.parametrize("kind", ["github", "linear"])
async def test_the_sandbox_starts_the_tracker_connected_to_the_demo_channel(
    kind: str, tmp_path: Path, monkeypatch
):
    async with demo_sandbox(tmp_path, monkeypatch, kind) as sandbox:
        tracker = getattr(sandbox, kind)
        connection, keys = await demo_links(sandbox)
        assert (connection.kind, connection.status) == (kind, "connected")
        assert keys == tracker.backlog_keys(), "the tracker's backlog first, in its order"


async def test_an_edit_in_the_github_project_reaches_the_demo_backlog_by_its_webhook(
    tmp_path: Path, monkeypatch
):
    async with demo_sandbox(tmp_path, monkeypatch, "github") as sandbox:
        github = sandbox.github
        assert github is not None
        listed = await demo_backlog(sandbox)
        assert f"{github.url}/demo/shop/issues/2|demo/shop#2" in listed
        assert "Pay by card" in listed

        github.auto_webhooks = False  # delivered here, so the test knows when
        sandbox.clock.advance(timedelta(seconds=5))  # a sync of its own, not the import's
        github.edit("demo/shop#2", title="Pay by card or wallet")
        assert "Pay by card or wallet" in await demo_backlog_after_webhooks(sandbox, github)
