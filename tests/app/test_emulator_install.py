"""The emulator's additions for installs and faults: the OAuth v2 consent page and
oauth.v2.access, tokens per workspace, and held (slow or lost) calls."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"  # never called: redirects are not followed


@pytest.fixture
async def em():
    emulator = SlackEmulator(team_id="T1")
    emulator.add_user("U1", "ann")
    emulator.add_channel("C1", "general", members=["U1", "UBOT"])
    emulator.add_workspace("T2", "Second")
    emulator.oauth_app("cid", "secret", REDIRECT)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def authorize(em: SlackEmulator, **params: str) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as browser:
        query = {"client_id": "cid", "scope": "commands", "state": "s1", **params}
        url = f"{em.url}/oauth/v2/authorize"
        async with browser.get(url, params=query, allow_redirects=False) as answer:
            await answer.read()
            return answer


async def test_a_code_is_exchanged_once_for_a_token_of_the_approving_workspace(em):
    answer = await authorize(em, team="T2", user="U1")
    assert answer.status == 302
    location = urlparse(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["s1"]
    client = AsyncWebClient(base_url=em.api_url)
    access = await client.oauth_v2_access(
        client_id="cid", client_secret="secret", code=query["code"][0]
    )
    assert access["team"]["id"] == "T2" and access["authed_user"]["id"] == "U1"
    who = await client.auth_test(token=access["access_token"])
    assert who["team_id"] == "T2", "the token acts in the workspace that installed the app"
    with pytest.raises(SlackApiError, match="invalid_code"):
        await client.oauth_v2_access(client_id="cid", client_secret="secret", code=query["code"][0])


async def test_wrong_credentials_and_unknown_apps_are_refused(em):
    assert (await authorize(em, client_id="other")).status == 400
    code = parse_qs(urlparse((await authorize(em)).headers["Location"]).query)["code"][0]
    client = AsyncWebClient(base_url=em.api_url)
    with pytest.raises(SlackApiError, match="bad_client_secret"):
        await client.oauth_v2_access(client_id="cid", client_secret="guess", code=code)


async def test_a_held_call_is_applied_at_once_and_answered_late(em):
    em.delay_next("chat.postMessage", 30, applied=True)
    client = AsyncWebClient(token=em.bot_token, base_url=em.api_url)
    post = asyncio.create_task(client.chat_postMessage(channel="C1", text="slow"))
    for _ in range(200):  # the request on its way: bounded
        if em.messages("C1"):
            break
        await asyncio.sleep(0.01)
    assert [m.text for m in em.messages("C1")] == ["slow"] and not post.done()
    em.release_held()
    assert (await post)["ok"]


async def test_a_held_call_whose_caller_hangs_up_never_happens(em):
    em.delay_next("chat.postMessage", 30, applied=False)
    client = AsyncWebClient(token=em.bot_token, base_url=em.api_url)
    post = asyncio.create_task(client.chat_postMessage(channel="C1", text="lost"))
    for _ in range(200):
        if em.calls_to("chat.postMessage"):
            break
        await asyncio.sleep(0.01)
    post.cancel()  # the process dies: its connection closes
    for _ in range(200):
        if em.calls_to("chat.postMessage")[0].dropped:
            break
        await asyncio.sleep(0.01)
    assert em.calls_to("chat.postMessage")[0].dropped and em.messages("C1") == []
