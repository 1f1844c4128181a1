"""Junk at POST /slack/events: refused before anything parses it, with one short log line.

Every case goes through the real app in HTTP mode (the aiohttp server, then Bolt). What is
unsigned, stale or too big is refused before the body is parsed (401, 413); what is signed but
not a Slack request (not UTF-8, not form data, a `payload` that is not a JSON object, an action
without actions, a view submission without its view...) is refused before Bolt (400); a signed
event whose file cannot be read is acked and ends quietly. Each leaves one short line in the
log, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.runtime import logs
from tests.app.test_backlog_slack import last_ephemeral
from tests.conftest import CHANNEL, DEV1, PO

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SHORT = 200  # characters: what "one short line" means here


def sign(body: bytes, timestamp: str) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def signed(body: bytes, content_type: str = FORM, *, skew: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) + skew)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(body, timestamp),
    }


def now() -> str:
    return str(int(time.time()))


@contextmanager
def log_lines() -> Iterator[list[str]]:
    """What the app logs meanwhile, as `timebox run` formats it (INFO and up), one string per
    line. The access log (a line per request, good or bad) is left out."""
    out = io.StringIO()
    handler = logs.handler("text", out)
    handler.addFilter(lambda record: not record.name.startswith("aiohttp.access"))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    lines: list[str] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
        lines.extend(out.getvalue().splitlines())


@dataclass(frozen=True)
class Junk:
    name: str
    body: bytes
    headers: Callable[[bytes], dict[str, str]]
    status: int


def interaction(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def from_diana(kind: str, trigger_id: str, **extra: object) -> dict[str, object]:
    """An interaction payload of `kind` from Diana in the team's workspace."""
    return {
        "type": kind,
        "user": {"id": DEV1, "name": "diana", "team_id": "T0TEAM"},
        "team": {"id": "T0TEAM", "domain": "t"},
        "api_app_id": "A0TIMEBOX",
        "trigger_id": trigger_id,
        **extra,
    }


def action(**extra: object) -> dict[str, object]:
    return from_diana(
        "block_actions",
        "1.2.junk",
        channel={"id": CHANNEL, "name": "team-a"},
        container={"type": "message", "channel_id": CHANNEL, "message_ts": "1.0"},
        **extra,
    )


def submission(**extra: object) -> dict[str, object]:
    return from_diana("view_submission", "1.3.junk", **extra)


def event(inner: object, **extra: object) -> bytes:
    envelope = {
        "type": "event_callback",
        "team_id": "T0TEAM",
        "api_app_id": "A0TIMEBOX",
        "event": inner,
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": int(time.time()),
        **extra,
    }
    return json.dumps(envelope).encode()


COMMAND = urlencode(
    {"command": "/backlog", "text": "add x", "team_id": "T0TEAM", "user_id": DEV1}
).encode()
UNSIGNED = [
    Junk("no headers", COMMAND, lambda b: {"Content-Type": FORM}, 401),
    Junk(
        "timestamp abc",
        COMMAND,
        lambda b: {**signed(b), "X-Slack-Request-Timestamp": "abc"},
        401,
    ),
    Junk("timestamp empty", COMMAND, lambda b: {**signed(b), "X-Slack-Request-Timestamp": ""}, 401),
    Junk(
        "timestamp a float",
        COMMAND,
        lambda b: {**signed(b), "X-Slack-Request-Timestamp": f"{time.time():.3f}"},
        401,
    ),
    Junk(
        "timestamp huge",
        COMMAND,
        lambda b: {**signed(b), "X-Slack-Request-Timestamp": "9" * 400},
        401,
    ),
    Junk(
        "timestamp unicode digits",
        COMMAND,
        lambda b: {**signed(b), "X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠"},
        401,
    ),
    Junk("timestamp 6 min old, signed", COMMAND, lambda b: signed(b, skew=-360), 401),
    Junk("timestamp 6 min ahead, signed", COMMAND, lambda b: signed(b, skew=360), 401),
    Junk(
        "no signature",
        COMMAND,
        lambda b: {"Content-Type": FORM, "X-Slack-Request-Timestamp": now()},
        401,
    ),
    Junk(
        "wrong signature",
        COMMAND,
        lambda b: {**signed(b), "X-Slack-Signature": "v0=" + "0" * 64},
        401,
    ),
    Junk("signature not hex", COMMAND, lambda b: {**signed(b), "X-Slack-Signature": "v0=zz"}, 401),
    Junk(
        "signature not ASCII",
        COMMAND,
        lambda b: {**signed(b), "X-Slack-Signature": "v0=" + "é" * 64},
        401,
    ),
    Junk(
        "payload not JSON, unsigned",
        b"payload=%7Bnot-json",
        lambda b: {"Content-Type": FORM, "X-Slack-Request-Timestamp": "abc"},
        401,
    ),
    Junk(
        "payload not JSON, stale",
        b"payload=%7Bnot-json",
        lambda b: signed(b, skew=-3600),
        401,
    ),
    Junk("JSON body not JSON, unsigned", b"{oops", lambda b: {"Content-Type": JSON}, 401),
    Junk(
        "not UTF-8, unsigned",
        b"command=%2Fbacklog&text=\xff\xfe",
        lambda b: {"Content-Type": FORM, "X-Slack-Request-Timestamp": now()},
        401,
    ),
    Junk(  # the SDK's verifier takes text: a body that is not UTF-8 is refused before it
        "not UTF-8, forged signature",
        b"command=%2Fbacklog&text=\xff\xfe",
        lambda b: {**signed(b), "X-Slack-Signature": "v0=" + "0" * 64},
        400,
    ),
    Junk("too big, signed", b"command=%2Fbacklog&text=" + b"x" * (2 << 20), signed, 413),
    Junk(
        "too big, unsigned",
        b"text=" + b"x" * (2 << 20),
        lambda b: {"Content-Type": FORM},
        413,
    ),
]
SIGNED = [
    Junk("not UTF-8, signed", b"command=%2Fbacklog&text=\xff\xfe", signed, 400),
    Junk("percent-escape not UTF-8", b"command=%2Fbacklog&text=%FF%FE", signed, 400),
    Junk("empty body", b"", signed, 400),
    Junk("not form data", b"hello world", lambda b: signed(b, "text/plain"), 400),
    Junk("form without a command or payload", b"a=1&b=2", signed, 400),
    Junk("command not a slash command", b"command=backlog&text=x", signed, 400),
    Junk("payload not JSON", b"payload=%7Bnot-json", signed, 400),
    Junk("payload a JSON list", interaction([1, 2]), signed, 400),
    Junk("payload a JSON string", interaction("block_actions"), signed, 400),
    Junk("payload null", interaction(None), signed, 400),
    Junk("payload without a type", interaction({"user": {"id": DEV1}}), signed, 400),
    Junk("payload twice", interaction({}) + b"&" + interaction({}), signed, 400),
    Junk("actions empty", interaction(action(actions=[])), signed, 400),
    Junk("actions missing", interaction(action()), signed, 400),
    Junk("actions an object", interaction(action(actions={"action_id": "x"})), signed, 400),
    Junk("actions a string", interaction(action(actions="open")), signed, 400),
    Junk("actions of strings", interaction(action(actions=["open"])), signed, 400),
    Junk("view missing", interaction(submission()), signed, 400),
    Junk("view a string", interaction(submission(view="V1")), signed, 400),
    Junk(
        "view without a type",
        interaction(submission(view={"id": "V1", "callback_id": "x", "state": {"values": {}}})),
        signed,
        400,
    ),
    Junk(
        "view with a numeric callback_id",
        interaction(submission(view={"id": "V1", "type": "modal", "callback_id": 7})),
        signed,
        400,
    ),
    Junk(
        "authorizations a string",
        interaction(action(authorizations="x", actions=[{"action_id": "backlog_open"}])),
        signed,
        400,
    ),
    Junk(
        "user a string",
        interaction(action(user=DEV1, actions=[{"action_id": "backlog_open"}])),
        signed,
        400,
    ),
    Junk("JSON body not JSON", b"{oops", lambda b: signed(b, JSON), 400),
    Junk("JSON body a list", b"[1, 2]", lambda b: signed(b, JSON), 400),
    Junk("event missing", event(None), lambda b: signed(b, JSON), 400),
    Junk("event a list", event([]), lambda b: signed(b, JSON), 400),
    Junk("event without a type", event({"user": DEV1}), lambda b: signed(b, JSON), 400),
    Junk(
        "file_shared without file_id",
        event({"type": "file_shared", "channel_id": CHANNEL}),
        lambda b: signed(b, JSON),
        400,
    ),
]


def check(lines: list[str], status: int) -> None:
    assert len(lines) == 1, f"{status}: expected one log line, got {len(lines)}:\n" + "\n".join(
        lines
    )
    [line] = lines
    assert len(line) <= SHORT, line
    assert "Traceback" not in line


@pytest.mark.parametrize("junk", UNSIGNED + SIGNED, ids=lambda j: j.name)
async def test_junk_is_refused_with_one_short_log_line(slack: LocalStack, junk: Junk):
    with log_lines() as lines:
        ack = await slack.driver.post_raw(junk.body, junk.headers(junk.body))
    assert ack.status == junk.status, ack.text
    check(lines, ack.status)
    assert len(ack.text) < 100, "the answer says little"


async def test_a_file_shared_that_cannot_be_read_is_acked_with_one_line(slack: LocalStack):
    body = event(
        {"type": "file_shared", "file_id": "F0GONE", "user_id": DEV1, "channel_id": CHANNEL}
    )
    with log_lines() as lines:
        ack = await slack.driver.post_raw(body, signed(body, JSON))
    assert ack.status == 200
    check(lines, 200)
    assert "F0GONE" in lines[0] and "file_not_found" in lines[0]


async def test_a_file_whose_download_fails_is_acked_with_one_line(slack: LocalStack):
    file = slack.emulator.share_file(DEV1, CHANNEL, "items.csv", b"title\nA\n", "csv")
    stored = slack.emulator.files[file["id"]]
    stored.url_private = stored.url_private.replace(file["id"], "F0ELSEWHERE")  # answers 404
    body = event(
        {"type": "file_shared", "file_id": file["id"], "user_id": DEV1, "channel_id": CHANNEL}
    )
    with log_lines() as lines:
        ack = await slack.driver.post_raw(body, signed(body, JSON))
    assert ack.status == 200
    check(lines, 200)
    assert "404" in lines[0]


async def test_a_big_body_without_a_length_is_cut_off_at_the_limit(slack: LocalStack):
    """Sent in chunks (no Content-Length): reading stops past the limit."""

    async def chunks():
        for _ in range(40):
            yield b"x" * (64 << 10)

    url = f"{slack.url}/slack/events"
    with log_lines() as lines:
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=chunks(), headers=signed(b"", FORM)) as answer,
        ):
            status = answer.status
    assert status == 413
    check(lines, 413)


async def test_slacks_unsigned_ssl_check_is_answered(slack: LocalStack):
    with log_lines() as lines:
        ack = await slack.driver.post_raw(b"ssl_check=1&token=x", {"Content-Type": FORM})
    assert (ack.status, lines) == (200, [])
    with log_lines() as lines:
        ack = await slack.driver.post_raw(b"ssl_check=1&command=%2Fbacklog", {"Content-Type": FORM})
    assert ack.status == 401
    check(lines, 401)


async def test_signed_requests_still_work_a_command_that_says_payload_too(slack: LocalStack):
    ack = await slack.driver.command(
        "/backlog", "add Fix the payload parser", user=PO, channel=CHANNEL
    )
    assert ack.status == 200
    assert "Fix the payload parser" in last_ephemeral(slack, PO).text
