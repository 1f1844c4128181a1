"""`timebox sandbox --jira|--github|--linear` as a newcomer meets it: what it prints is true and
usable. The command it prints to change an issue in the emulated tracker works as typed (the
emulator's address answers API calls only, with credentials only the sandbox knows), and its
change reaches `/backlog`; the blurb counts the demo backlog seeded beside the tracker's; and
the link `/backlog` shows for an issue opens that issue in the sandbox, not a login error, a
404 or a stranger's repository on github.com."""

from __future__ import annotations

import base64
import shlex
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.cli import backlog_said, tracker_said
from bot.sandbox.seed import CHANNEL, WORKSPACE
from tests.app.trackers import demo_backlog, demo_backlog_after_webhooks, demo_sandbox

TRACKERS = ["jira", "github", "linear"]


async def run_curl(command: str) -> tuple[int, str]:
    """The printed `curl` command, as curl would send it (-u, -X, -H, -d and the URL)."""
    words = shlex.split(command)
    assert words[0] == "curl", command
    method, headers, data, url = "GET", {}, None, None
    rest = iter(words[1:])
    for word in rest:
        if word == "-X":
            method = next(rest)
        elif word == "-H":
            name, value = next(rest).split(":", 1)
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(rest)
            method = "POST" if method == "GET" else method
        elif word == "-u":
            token = base64.b64encode(next(rest).encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        else:
            assert not word.startswith("-"), f"an option this test does not know: {word}"
            url = word
    assert url is not None, command
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, headers=headers, data=data) as response,
    ):
        return response.status, await response.text()


def _tracker(sandbox: Any, kind: str) -> Any:
    return getattr(sandbox, kind)


@pytest.mark.parametrize("kind", TRACKERS)
async def test_the_printed_command_renames_an_issue_and_backlog_shows_it(
    kind: str, tmp_path: Path, monkeypatch
):
    """The lines the sandbox prints for its tracker name a command; run as printed, it
    renames an issue in the emulator, and the rename reaches `/backlog` by the webhook.
    Before, the sandbox printed only the emulator's address, which answers a browser with
    401 ("Client must be authenticated") or 404, and no credentials: the sync from the
    tracker to Timebox could not be tried."""
    async with demo_sandbox(tmp_path, monkeypatch, kind) as sandbox:
        tracker = _tracker(sandbox, kind)
        lines = tracker_said(sandbox)
        assert any("connected to #team-demo" in line for line in lines)
        [command] = [line.strip() for line in lines if line.strip().startswith("curl ")]
        assert "Pay by card or wallet" not in await demo_backlog(sandbox)

        tracker.auto_webhooks = False  # delivered here, so the test knows when
        sandbox.clock.advance(timedelta(seconds=5))  # a sync of its own, not the import's
        status, body = await run_curl(command)
        assert status < 300, body
        assert "Pay by card or wallet" in await demo_backlog_after_webhooks(sandbox, tracker)


@pytest.mark.parametrize("kind", TRACKERS)
async def test_the_blurb_counts_the_demo_backlog_seeded_beside_the_trackers(
    kind: str, tmp_path: Path, monkeypatch
):
    """A new sandbox started with a tracker but without --fresh has the tracker's issues and
    the 12 demo items below them: the blurb used to say the backlog was the tracker's alone,
    while `/backlog` listed 17 items, 12 of them in no tracker."""
    async with demo_sandbox(tmp_path, monkeypatch, kind) as sandbox:
        async with sandbox.db.transaction() as store:
            team = await store.team(WORKSPACE, CHANNEL)
            assert team is not None
            items = await store.all_items(team.id, include_closed=False)
        unlinked = [i for i in items if i.tracker_link is None]
        assert len(unlinked) == sandbox.seeded == 12
        said = backlog_said(sandbox, fresh=False)
        assert said.startswith("the backlog of its ")
        assert "demo backlog of 12 items" in said


def _issue_link(sandbox: Any) -> str:
    """The address `/backlog` links the first imported issue to."""
    issue = next(
        b["text"]["text"]
        for b in sandbox.emulator.ephemerals(CHANNEL, "U0INES")[-1].blocks
        if b.get("type") == "section" and "<http" in b.get("text", {}).get("text", "")
    )
    return issue.split("<", 1)[1].split("|", 1)[0]


@pytest.mark.parametrize("kind", TRACKERS)
async def test_the_issue_link_in_backlog_opens_the_issue_in_the_sandbox(
    kind: str, tmp_path: Path, monkeypatch
):
    """The link next to an imported item in `/backlog` (what a newcomer clicks to see the
    issue in the tracker) is an address of the sandbox's emulator that answers a browser, with
    no credentials, with the issue's title."""
    async with demo_sandbox(tmp_path, monkeypatch, kind) as sandbox:
        await demo_backlog(sandbox)
        link = _issue_link(sandbox)
        tracker = _tracker(sandbox, kind)
        base = tracker.api_url if kind == "linear" else tracker.url
        assert link.startswith(base.removesuffix("/graphql")), link
        async with aiohttp.ClientSession() as session, session.get(link) as response:
            assert response.status == 200, f"{link}: {response.status}"
            assert "Set up the payment provider" in await response.text()
