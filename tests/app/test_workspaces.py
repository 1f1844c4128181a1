"""Installed into many workspaces: the OAuth flow over real HTTP, installations in our database,
each request and each job acting with its own workspace's token, and no data shared across
workspaces even where their channel ids are the same."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.emulator import SlackDriver
from bot.emulator.server import PSEUDO_METHODS
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.process.app import BOT_SCOPES
from bot.runtime.clock import ManualClock
from storage.db import Database
from storage.installations import installation_store
from tests.app.test_backlog_slack import shown
from tests.conftest import beside_roles, running

CLIENT_ID, CLIENT_SECRET = "1111.2222", "client-secret"
ANN, BEN, CARL = "U0ANN", "U0BEN", "U0CARL"  # in T1, T2 and T3
CHANNEL = "C0SAME"  # the same channel id in both workspaces


def oauth_stack(db: Database, clock: ManualClock, users: Sequence[str]) -> LocalStack:
    """The app installing through OAuth, in the workspaces T1 (First) and T2 (Second), where
    `users` are (in Berlin); it is not started."""
    stack = LocalStack(
        db,
        clock,
        team_id="T1",
        team_name="First",
        settings={"bot_token": None, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    stack.emulator.add_workspace("T2", "Second")
    for user in users:
        stack.emulator.add_user(user, user.lower(), tz="Europe/Berlin")
    return stack


@asynccontextmanager
async def running_oauth(stack: LocalStack) -> AsyncIterator[LocalStack]:
    """`running(stack)`, with the emulator knowing the app's OAuth redirect."""
    async with running(stack):
        stack.emulator.oauth_app(CLIENT_ID, CLIENT_SECRET, f"{stack.url}/slack/oauth_redirect")
        yield stack


@pytest.fixture
async def stack(db, clock) -> AsyncIterator[LocalStack]:
    stack = oauth_stack(db, clock, (ANN, BEN, CARL))
    stack.emulator.add_workspace("T3", "Third, not installed")
    stack.emulator.add_channel(CHANNEL, "team", members=[ANN, BEN, CARL, "UBOT"])
    async with running_oauth(stack):
        yield stack


async def install(stack: LocalStack, team: str, user: str) -> str:
    """A browser opens /slack/install, approves on Slack's page, and comes back."""
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=stack.url)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{stack.url}/slack/install", params={"team": team}) as page:
            assert page.status == 200
            found = re.search(r'<a href="([^"]+)"', await page.text())
            link = html.unescape(found.group(1))
        assert link.startswith(f"{stack.emulator.url}/oauth/v2/authorize?")
        async with browser.get(link, params={"user": user}) as done:
            assert str(done.url).startswith(f"{stack.url}/slack/oauth_redirect")
            return f"{done.status} {await done.text()}"


def person(stack: LocalStack, team: str) -> SlackDriver:
    return SlackDriver(
        stack.emulator,
        app_url=f"{stack.url}/slack/events",
        signing_secret=SIGNING_SECRET,
        settle=stack.settle,
        team_id=team,
    )


async def backlog(driver: SlackDriver, text: str, user: str) -> str:
    ack = await driver.command("/backlog", text, user=user, channel=CHANNEL)
    assert ack.status == 200, ack.text
    return shown(driver.em.ephemerals(CHANNEL, user)[-1])


async def daily_reminder(second: SlackDriver) -> None:
    """Ben, the Product Owner of the second workspace's channel (in Berlin), adds an unready
    item and asks for the daily reminder at 09:30 (the channel is told Ben's role: a post
    `beside_roles` leaves out)."""
    zone = "settings timezone Europe/Berlin"
    await second.command("/timebox", f"roles po <@{BEN}>", user=BEN, channel=CHANNEL)
    await second.command("/timebox", zone, user=BEN, channel=CHANNEL)
    await backlog(second, "add Not ready yet", BEN)
    await second.command("/ready", "remind at 09:30", user=BEN, channel=CHANNEL)


async def test_two_workspaces_install_and_never_see_each_others_backlog(stack):
    for team, user in (("T1", ANN), ("T2", BEN)):
        answer = await install(stack, team, user)
        assert answer.startswith("200") and "Thank you!" in answer
    store = installation_store(stack.db, CLIENT_ID)
    bots = [await store.async_find_bot(enterprise_id=None, team_id=t) for t in ("T1", "T2")]
    assert [b.team_id for b in bots] == ["T1", "T2"] and bots[0].bot_token != bots[1].bot_token

    first, second = person(stack, "T1"), person(stack, "T2")
    try:
        await backlog(first, "add Secret plan of the first team", ANN)
        await backlog(second, "add Second team's own item", BEN)
        listing = await backlog(second, "", BEN)
        assert "Second team's own item" in listing and "Secret plan" not in listing
        assert "1 item" in listing
        listing = await backlog(first, "", ANN)
        assert "Secret plan of the first team" in listing and "Second team" not in listing
        shown_to_ben = await backlog(second, "show 2", BEN)
        assert "There is no item #2" in shown_to_ben, "numbers are per workspace too"

        calls = stack.emulator.calls
        web_api = [c for c in calls if c.method not in (*PSEUDO_METHODS, "oauth.v2.access")]
        tokens_used = {c.team for c in web_api}
        assert tokens_used == {"T1", "T2"}, "every call carried one of the two bots' tokens"

        uninstalled = person(stack, "T3")
        ack = await uninstalled.command("/backlog", "", user=CARL, channel=CHANNEL)
        assert ack.status == 200
        [refused] = stack.emulator.ephemerals(CHANNEL, CARL)
        assert "reinstall this app" in refused.text, "a workspace without an installation"
        await uninstalled.aclose()
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_job_posts_with_its_own_workspaces_token(stack):
    await install(stack, "T1", ANN)
    await install(stack, "T2", BEN)
    second = person(stack, "T2")
    try:
        await daily_reminder(second)
    finally:
        await second.aclose()
    stack.clock.set(datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # 09:30 in Berlin
    # The reminder, then its post; and the daily housekeeping, planned at the installation.
    assert await stack.services.jobs.run_due() == 3
    [post] = beside_roles(stack.emulator.calls_to("chat.postMessage"))
    assert post.ok and post.team == "T2"


async def test_a_workspace_that_removes_the_app_is_forgotten_and_its_due_work_ends(stack):
    await install(stack, "T1", ANN)
    await install(stack, "T2", BEN)
    first, second = person(stack, "T1"), person(stack, "T2")
    try:
        await daily_reminder(second)

        revoked = await second.event({"type": "tokens_revoked", "tokens": {"oauth": [BEN]}})
        assert revoked.status == 200
        store = installation_store(stack.db, CLIENT_ID)
        assert await store.async_find_bot(enterprise_id=None, team_id="T2"), "a user token only"

        stack.emulator.uninstall("T2")
        ack = await second.event({"type": "app_uninstalled"})
        assert ack.status == 200
        assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
        await second.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
        assert await store.async_find_bot(enterprise_id=None, team_id="T1"), "T1 keeps its own"
        assert "Secret" in await backlog(first, "add Secret", ANN), "T1 goes on"
    finally:
        await first.aclose()
        await second.aclose()
    calls = len(stack.emulator.calls)
    stack.clock.set(datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # T2's reminder falls due
    assert await stack.services.jobs.run_due() == 2, "the reminder, and the housekeeping"
    assert len(stack.emulator.calls) == calls, "nothing is tried with the dead token"
    async with stack.db.transaction() as store:
        assert not await store.overdue(stack.clock.now()), "done, not left to retry"
        [job] = [j for j in await store.jobs("readiness_reminder") if j.done_at]
    assert job.outcome.startswith("skipped: Timebox is not installed in workspace T2")

    # Installed again: the team's backlog is there, and its reminders go on with the new token.
    await install(stack, "T2", BEN)
    stack.clock.set(datetime(2026, 3, 4, 8, 30, tzinfo=UTC))
    assert await stack.services.jobs.run_due() == 3, "Wednesday's reminder, its post, housekeeping"
    [post] = beside_roles(stack.emulator.calls_to("chat.postMessage"))
    assert post.ok and post.team == "T2" and "Not ready yet" in str(post.args)


async def test_a_forged_or_stale_callback_stores_nothing(stack):
    async with aiohttp.ClientSession() as browser:
        url = f"{stack.url}/slack/oauth_redirect"
        async with browser.get(url, params={"code": "x", "state": "forged"}) as answer:
            assert answer.status in (400, 401)
    store = installation_store(stack.db, CLIENT_ID)
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None


def test_the_app_asks_for_the_manifests_scopes():
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert set(BOT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])
