"""The bot token goes only to Slack's own file host. A shared file whose download address
files.info gives as another host (a remote file from Google Drive, or any address that is not
Slack's) is never fetched with the token; a remote file is left alone, as someone's document.

Before, the flow sent `Authorization: Bearer <bot token>` to whatever `url_private_download`
said. The same holds for a redirect the download answers: aiohttp followed it to any host (the
token dropped, but the address asked all the same: one in the operator's own network, say);
now each hop is checked before it is asked, and a redirect within Slack is still followed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.emulator.stack import LocalStack
from handlers.file_download import MAX_REDIRECTS, slack_hosted
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


@pytest.mark.parametrize(
    ("attribute", "asked", "words"),
    [
        ("url_private", ["files.info"], "a file's download address is not Slack's"),
        ("redirect_to", ["files.info", "download"], "redirected to a host not Slack's"),
    ],
    ids=["address", "redirect"],
)
async def test_a_download_off_slack_is_never_asked(
    slack: LocalStack, elsewhere: tuple[str, list[str]], attribute: str, asked: list, words: str
):
    """Neither a download address off Slack (files.info's) nor a redirect there from Slack's
    file host is asked, with the token or without: nothing imported, nothing said, one log
    line naming the host, no crash."""
    await name_po(slack)
    url, seen = elsewhere
    file = slack.emulator.share_file(PO, CHANNEL, "backlog.csv", JIRA_CSV.encode())
    setattr(slack.emulator.files[file["id"]], attribute, f"{url}/backlog.csv")
    before = len(slack.emulator.calls)
    with log_lines() as lines:
        ack = await slack.driver.event(file_shared(file))
    assert ack.status == 200
    assert seen == [], "the other host was never asked, with the token or without"
    assert await titles(slack) == [], "nothing imported from there"
    said = [c.method for c in slack.emulator.calls[before:]]
    assert said == asked, f"nothing said, nothing else fetched: {said}"
    host = url.removeprefix("http://")
    assert any(words in line and host in line for line in lines), lines
    assert not any(slack.emulator.bot_token in line for line in lines), "the token not logged"
    assert not any("unhandled error" in line for line in lines), "a refusal, not a crash"


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


async def test_a_redirect_within_slack_is_followed(slack: LocalStack):
    await name_po(slack)
    file = slack.emulator.share_file(PO, CHANNEL, "backlog.csv", JIRA_CSV.encode())
    moved = slack.emulator.share_file(PO, CHANNEL, "moved.csv", b"Summary\nMoved item\n")
    slack.emulator.files[file["id"]].redirect_to = f"/files/{moved['id']}"  # a relative Location
    ack = await slack.driver.event(file_shared(file))
    assert ack.status == 200
    downloads = slack.emulator.calls_to("download")
    assert [(c.args["file_id"], c.http_status) for c in downloads] == [
        (file["id"], 302),
        (moved["id"], 200),
    ], "the redirect followed, with the token still sent on Slack's host"
    assert await titles(slack) == ["Moved item"]


async def test_redirects_are_bounded(slack: LocalStack):
    await name_po(slack)
    file = slack.emulator.share_file(PO, CHANNEL, "backlog.csv", JIRA_CSV.encode())
    looping = slack.emulator.files[file["id"]]
    looping.redirect_to = looping.url_private
    with log_lines() as lines:
        ack = await slack.driver.event(file_shared(file))
    assert ack.status == 200
    assert len(slack.emulator.calls_to("download")) == 1 + MAX_REDIRECTS
    assert await titles(slack) == []
    wanted = f"could not read the shared file {file['id']}: its download redirected 6 times"
    assert any(wanted in line for line in lines), lines


async def test_a_redirect_without_an_address_is_no_file(slack: LocalStack):
    """A 3xx answer with no Location to follow is not taken as the file's bytes: nothing is
    imported, and the log says what Slack answered."""
    await name_po(slack)
    file = slack.emulator.share_file(PO, CHANNEL, "backlog.csv", JIRA_CSV.encode())
    slack.emulator.files[file["id"]].redirect_to = ""
    with log_lines() as lines:
        ack = await slack.driver.event(file_shared(file))
    assert ack.status == 200
    assert await titles(slack) == []
    wanted = f"could not read the shared file {file['id']}: its download answered HTTP 302"
    assert any(wanted in line for line in lines), lines
    assert not any("unhandled error" in line for line in lines), "a refusal, not a crash"


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
        ("https://files.slack.com:99999/a.csv", "https://slack.com/api/", False),
        ("https://[::1/a.csv", "https://slack.com/api/", False),
    ],
)
def test_only_slacks_own_hosts_are_slack_hosted(url: str, api: str, ok: bool):
    assert slack_hosted(url, api) is ok
