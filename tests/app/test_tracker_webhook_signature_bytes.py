# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""QA pass 47: a tracker webhook whose signature header is not text (bytes that are no UTF-8,
or no ASCII at all) is refused with 401 and one log line, like any other bad signature.

aiohttp hands such a header over with surrogate escapes (``sha256=\\udcff``); the comparison
encodes it, which raised ``UnicodeEncodeError``: a 500 with a traceback in the log for whoever
knows a connection's webhook address, instead of the plain refusal the other junk gets
(``test_tracker_webhook_junk``). Nothing may be scheduled either way."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlsplit

import pytest

from bot.domain.tracker_webhooks import sign
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain


async def post_bytes(url: str, path: str, body: bytes, header: bytes) -> int:
    """POSTs ``body`` to ``path`` with ``header`` (a raw header line) as sent, byte for byte;
    the answer's status."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    try:
        writer.write(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: timebox\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n"
            + header
            + b"\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


async def jobs_count(slack) -> int:
    async with slack.db.transaction() as store:
        return len(await store.jobs())


@pytest.mark.parametrize(
    "value",
    [
        b"sha256=\xff\xfe",  # no UTF-8
        b"sha256=" + b"\xc3\xa9" * 32,  # UTF-8, but no hex digit at all
        b"\x80" * 71,  # a signature's length, every byte high
    ],
)
async def test_a_signature_header_that_is_not_text_gets_401_not_a_traceback(
    slack, jira, caplog, value: bytes
):
    """The webhook is the connection's, the body is a genuine event: only the header's bytes
    are wrong. The answer is 401, the log has one WARNING and no error or traceback, and no
    sync is scheduled."""
    seed_board(jira)
    path, secret = await connected(slack, jira)
    await drain(slack)
    before = await jobs_count(slack)
    body = json.dumps({"webhookEvent": "jira:issue_updated", "issue": {"key": "TB-1"}}).encode()
    assert sign("jira", secret, body).startswith("sha256=")
    caplog.clear()
    caplog.set_level(logging.INFO)
    status = await post_bytes(slack.url, path, body, b"X-Hub-Signature: " + value)
    assert status == 401, status
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
    refused = [r for r in caplog.records if "refused a jira webhook" in r.getMessage()]
    assert len(refused) == 1 and refused[0].levelno == logging.WARNING
    assert await jobs_count(slack) == before
