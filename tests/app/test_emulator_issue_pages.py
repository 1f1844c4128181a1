"""The tracker emulators' web page for an issue (bot/emulator/issue_page.py): what a browser
opens at the address an issue's ``url``/``html_url`` gives, as the vendor's own page is there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.emulator.github import GitHubEmulator
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator
from bot.runtime.clock import ManualClock

TITLE = 'Pay <b>by</b> card & "wallet"'
DESCRIPTION = "Checkout takes <script>alert(1)</script> cards."


@pytest.fixture(params=["jira", "github", "linear"])
async def tracker(request: Any, clock: ManualClock) -> AsyncIterator[tuple[Any, str, str]]:
    """An emulator with one issue (estimate 5, in progress); (emulator, the issue's page
    address, an address of the same shape for no issue)."""
    kind = request.param
    if kind == "jira":
        async with JiraEmulator(now=clock.now) as jira:
            issue = jira.add_issue(TITLE, description=DESCRIPTION, estimate=5, status="In Progress")
            yield jira, f"{jira.url}/browse/{issue.key}", f"{jira.url}/browse/TB-999"
    elif kind == "github":
        async with GitHubEmulator(now=clock.now) as github:
            issue = github.add_issue(TITLE, body=DESCRIPTION, estimate=5, status="In Progress")
            yield github, github.issue_web_url(issue), f"{github.url}/acme/shop/issues/999"
    else:
        async with LinearEmulator(now=clock.now) as linear:
            made = linear.add_issue(TITLE, description=DESCRIPTION, estimate=5, state="In Progress")
            org = linear.organization["urlKey"]
            yield linear, linear.issue_url(made), f"{linear.url}/{org}/issue/ENG-999"


async def browse(url: str) -> tuple[int, str, str]:
    """``url`` opened as a browser does: no credentials. (status, content type, text)."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.content_type, await response.text()


async def test_an_issue_page_shows_the_issue_to_a_browser_with_every_value_escaped(tracker):
    """The page at the issue's address opens with no credentials and shows its key, title,
    status, estimate and description, each HTML-escaped (markup in a title or description
    is shown as text, never run), and is no API call of the emulator's."""
    emulator, url, _ = tracker
    assert url.startswith(emulator.url), "the emulator's own address"
    status, kind, text = await browse(url)
    assert (status, kind) == (200, "text/html"), text
    key = url.rsplit("/", 1)[1] if "/issues/" not in url else "acme/shop#1"
    assert key in text
    assert "Pay &lt;b&gt;by&lt;/b&gt; card &amp; &quot;wallet&quot;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text and "<b>by" not in text
    assert "In Progress" in text
    assert "<dt>Estimate</dt><dd>5</dd>" in text
    assert all(call.route != "unknown" for call in emulator.calls)


async def test_an_unknown_issue_is_a_404_page(tracker):
    """An address of an issue's shape with no issue there answers a 404 HTML page, its
    path escaped."""
    _, _, missing = tracker
    status, kind, text = await browse(missing)
    assert (status, kind) == (404, "text/html")
    assert "Issue not found" in text
    status, _, text = await browse(missing + "%3Cscript%3E")
    assert status == 404 and "<script>" not in text


async def test_github_gives_its_issue_addresses_on_the_web_url_it_is_given(clock):
    """``html_url`` (REST) and ``url`` (GraphQL) are on the emulator's address unless
    ``web_url`` names another (a test that wants https://github.com links)."""
    async with GitHubEmulator(now=clock.now, web_url="https://github.com") as github:
        issue = github.add_issue("Pay by card")
        assert github._issue_json(issue)["html_url"] == "https://github.com/acme/shop/issues/1"
        assert github._issue_node(issue)["url"] == "https://github.com/acme/shop/issues/1"
        github.web_url = None
        assert github._issue_json(issue)["html_url"] == f"{github.url}/acme/shop/issues/1"
