"""The bot token goes only to Slack's own file host. A shared file whose download address
files.info gives as another host (a remote file from Google Drive, or any address that is not
Slack's) is never fetched with the token; a remote file is left alone, as someone's document.

Before, the flow sent `Authorization: Bearer <bot token>` to whatever `url_private_download`
said."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.emulator.stack import LocalStack
from handlers.flows.files import slack_hosted
from tests.app.test_backlog_slack import JIRA_CSV, file_shared, name_po
from tests.app.test_import_report_outbox import titles
from tests.app.test_request_guard import log_lines
from tests.conftest import CHANNEL, PO


@pytest.fixture
async def elsewhere() -> AsyncIterator[tuple[str, list[str]]]:
    """Another host on this machine, which answers a backlog CSV and keeps every
    Authorization header it was sent."""
    seen: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.Response(body=JIRA_CSV)

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_a_download_address_off_slack_never_gets_the_token(
    slack: LocalStack, elsewhere: tuple[str, list[str]]
):
    await name_po(slack)
    url, seen = elsewhere
    file = slack.emulator.share_file(PO, CHANNEL, "backlog.csv", JIRA_CSV.encode())
    slack.emulator.files[file["id"]].url_private = f"{url}/backlog.csv"
    with log_lines() as lines:
        ack = await slack.driver.event(file_shared(file))
    assert ack.status == 200
    assert seen == [], "the other host was never asked, with the token or without"
    assert await titles(slack) == [], "nothing imported from there"
    assert any("not Slack's" in line and "127.0.0.1" in line for line in lines), lines


async def test_a_remote_file_is_left_alone(slack: LocalStack, elsewhere: tuple[str, list[str]]):
    await name_po(slack)
    url, seen = elsewhere
    file = slack.emulator.share_file(PO, CHANNEL, "roadmap.csv", JIRA_CSV.encode())
    stored = slack.emulator.files[file["id"]]
    stored.url_private, stored.external_type = f"{url}/roadmap.csv", "gdrive"
    before = len(slack.emulator.calls)
    ack = await slack.driver.event(file_shared(file))
    assert ack.status == 200
    assert seen == []
    assert await titles(slack) == []
    said = [c.method for c in slack.emulator.calls[before:]]
    assert said == ["files.info"], f"read, then nothing said or fetched: {said}"


@pytest.mark.parametrize(
    ("url", "api", "ok"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.csv", "https://slack.com/api/", True),
        ("https://slack.com/files/a.csv", "https://slack.com/api/", True),
        ("http://127.0.0.1:5000/files/F1", "http://127.0.0.1:5000/api/", True),
        ("https://evil.example/a.csv", "https://slack.com/api/", False),
        ("https://slack.com.evil.example/a.csv", "https://slack.com/api/", False),
        ("https://evilslack.com/a.csv", "https://slack.com/api/", False),
        ("http://files.slack.com/a.csv", "https://slack.com/api/", False),
        ("http://127.0.0.1:6000/a.csv", "http://127.0.0.1:5000/api/", False),
        ("", "https://slack.com/api/", False),
    ],
)
def test_only_slacks_own_hosts_are_slack_hosted(url: str, api: str, ok: bool):
    assert slack_hosted(url, api) is ok
