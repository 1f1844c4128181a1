# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""Secrets never reach the log, even with TIMEBOX_LOG_LEVEL=DEBUG.

At DEBUG, some libraries log whole bodies: gql every GraphQL request with its variables
(``webhookCreate`` carries the Linear webhook's secret and its address with the route's
token), the Slack client every message it sends (the connect answer shows the Jira or GitHub
webhook's secret and address once, to the PO), Bolt every ack, aiosqlite every statement's
parameters. ``configure_logging`` keeps those libraries at INFO or above whatever the level
(``logs.QUIET``); behind that, Timebox's handler masks what still looks like a secret
(``logs.Redact``): a webhook's or calendar feed's token in its address, a secret, token,
password or API key field, an Authorization header's credential. (Moved from QA pass 10.)"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.process.app import leveled
from bot.runtime import logs
from bot.runtime.config import configure_logging
from tests.app.test_tracker_connect import (  # noqa: F401
    connect_linear,
    connect_linear_public,
    linear,
)
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401

APP_LOGGERS = ("slack_sdk.web.async_base_client", "slack_bolt.AsyncApp")  # see ``leveled``
CLIENT_LOGGERS = ("gql.transport.aiohttp", "slack_sdk.webhook.async_client")


@pytest.fixture
def levels_kept() -> Iterator[None]:
    """The levels of the loggers these tests set (the root's too) put back after, and any
    handler added to the root logger meanwhile taken off: a root left at ERROR would hide
    every later test's warnings."""
    root = logging.getLogger()
    names = ("", *logs.QUIET, *APP_LOGGERS, *CLIENT_LOGGERS)
    saved = {name: logging.getLogger(name).level for name in names}
    handlers = list(root.handlers)
    try:
        yield
    finally:
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)
        for added in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(added)


@pytest.fixture
def debug_run(caplog: pytest.LogCaptureFixture, levels_kept: None) -> Iterator[io.StringIO]:
    """Logging as ``timebox run`` sets it up with TIMEBOX_LOG_LEVEL=DEBUG, before the app is
    built (ask for it before ``slack``): the root logger at DEBUG with Timebox's handler
    (what it writes is yielded), then ``configure_logging``, whose ``basicConfig`` leaves a
    root that has handlers as it is: what it adds is the quieting."""
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    logging.getLogger().addHandler(logs.handler("text", out))
    configure_logging("DEBUG")
    yield out


BODY_LOGGERS = tuple(name for name in logs.QUIET if name != "apscheduler")


def every_record(caplog: pytest.LogCaptureFixture) -> str:
    """Every record, message and error, after the libraries that log bodies wrote none at
    DEBUG (so what the text shows is not only masked by Timebox's handler)."""
    bodies = [
        r for r in caplog.records if r.levelno < logging.INFO and r.name.startswith(BODY_LOGGERS)
    ]
    assert bodies == [], [f"{r.name} {r.getMessage()[:80]}" for r in bodies]
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


async def test_the_linear_webhook_secret_timebox_sends_is_never_logged(
    debug_run, slack, linear, monkeypatch, caplog
):
    """Timebox adds its own Linear webhook (``webhookCreate`` with the secret and the address
    with its token): at DEBUG, gql logs every request's variables and every answer."""
    _, hook = await connect_linear_public(slack, linear, monkeypatch)
    assert hook.secret and len(hook.secret) >= 16
    token = hook.url.rsplit("/", 1)[1]
    assert hook.url.startswith("https://timebox.example/trackers/linear/") and token
    for text in (every_record(caplog), debug_run.getvalue()):
        assert linear.user.api_key not in text
        assert hook.secret not in text, "the webhook secret is in the log"
        assert token not in text, "the webhook address's token is in the log"
    assert logging.getLogger("bot.trackers").isEnabledFor(logging.DEBUG), "Timebox's DEBUG is on"


async def test_the_jira_webhook_secret_shown_once_is_never_logged(debug_run, slack, jira, caplog):
    """The connect answer shows the webhook's secret and address once, to the PO: at DEBUG,
    the Slack client logs every message body it sends, the secret among them."""
    seed_board(jira)
    path, secret = await connected(slack, jira)
    token = path.rsplit("/", 1)[1]
    for text in (every_record(caplog), debug_run.getvalue()):
        assert jira.user.token not in text
        assert secret not in text, "the webhook secret is in the log"
        assert token not in text, "the webhook address's token is in the log"


@pytest.mark.parametrize(
    ("configured", "body_loggers", "scheduler"),
    [
        ("DEBUG", logging.INFO, logging.WARNING),
        ("INFO", logging.INFO, logging.WARNING),
        ("WARNING", logging.WARNING, logging.WARNING),
        ("ERROR", logging.ERROR, logging.ERROR),
    ],
)
def test_the_body_loggers_stay_at_info_or_the_higher_level_configured(
    levels_kept, configured: str, body_loggers: int, scheduler: int
):
    """Whatever TIMEBOX_LOG_LEVEL says, the libraries that log bodies stay at INFO or above,
    and a higher level is kept (WARNING shows none of their INFO lines). The app's Slack
    client and Bolt loggers, built afterwards, take the same level (``leveled``)."""
    logging.getLogger().setLevel(getattr(logging, configured))
    configure_logging(configured)
    for name in ("slack_sdk", "slack_bolt", "gql", "aiosqlite"):
        assert logging.getLogger(name).level == body_loggers, name
    assert logging.getLogger("apscheduler").level == scheduler
    for name in (*APP_LOGGERS, *CLIENT_LOGGERS):
        assert leveled(name).getEffectiveLevel() == body_loggers, name
        assert not leveled(name).isEnabledFor(logging.DEBUG), name


SECRET_LINES = [
    (
        '>>> {"query": "mutation CreateWebhook", "variables": {"input": {"url": '
        '"https://timebox.example/trackers/linear/H9t-iCiUX2x_WyV", "secret": "ah97T1h8N", '
        '"teamId": "7bfd"}}}',
        '>>> {"query": "mutation CreateWebhook", "variables": {"input": {"url": '
        '"https://timebox.example/trackers/linear/***", "secret": "***", "teamId": "7bfd"}}}',
    ),
    (
        "Sending a request - url: POST https://hooks.example/response/T1, json: {'text': "
        "'Webhook: https://timebox.example/trackers/jira/q_1-z Secret: `k9-Zz`'}, "
        "headers: {'Authorization': 'Bearer xoxb-1-2-abc', 'Content-Type': 'application/json'}",
        "Sending a request - url: POST https://hooks.example/response/T1, json: {'text': "
        "'Webhook: https://timebox.example/trackers/jira/*** Secret: `***`'}, "
        "headers: {'Authorization': 'Bearer ***', 'Content-Type': 'application/json'}",
    ),
    ("Authorization: Basic cG86dG9rZW4=", "Authorization: Basic ***"),
    (
        "redirect to 'http://10.1.2.3/login?next=%2Fa&token=abc123&x=1'",
        "redirect to 'http://10.1.2.3/login?next=%2Fa&token=***&x=1'",
    ),
    (
        "{'client_secret': 'cs', 'api_key': 'lin_api_Q', \"apiKey\": \"K\", 'password': 'pw'}",
        "{'client_secret': '***', 'api_key': '***', \"apiKey\": \"***\", 'password': '***'}",
    ),
    (
        "refresh_token=rt-1, TIMEBOX_SECRET_KEY=abc= ghp_abcdef0123 GET /calendar/f-1_x.ics",
        "refresh_token=***, TIMEBOX_SECRET_KEY=*** *** GET /calendar/***.ics",
    ),
]
PLAIN_LINES = [
    "tracker tracker_sync tracker_sync:1.35350ea3:every:20260302T090500 failed (attempt 1, "
    "invalid): trying again in 3600 s",
    "POST /trackers/{kind}/{token} 401 0.002s",
    "the Jira token expired: the PO connects again",
    "GET /calendar/{token}.ics 200",
]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_timebox_log_lines_mask_what_looks_like_a_secret(fmt: str):
    """Timebox's handler, in either format: a webhook's or feed's token, a secret-named
    field's value, an Authorization header's credential, a token by its prefix are masked,
    in the message and in an error's text; other lines are written as they are."""
    out = io.StringIO()
    log = logging.getLogger("timebox.test.redact")
    log.addHandler(logs.handler(fmt, out))
    log.propagate, log.level = False, logging.INFO
    try:
        for line, _ in SECRET_LINES:
            log.info("%s", line)
        for line in PLAIN_LINES:
            log.info(line)
        try:
            raise RuntimeError("webhookCreate refused for /trackers/linear/Zq-9 secret='s3'")
        except RuntimeError:
            log.exception("Linear refused")
    finally:
        log.handlers.clear()
    lines = out.getvalue().splitlines()
    if fmt == "json":
        entries = [json.loads(line) for line in lines]
        messages = [e["message"] for e in entries]
        error = entries[-1]["error"]
    else:
        text = out.getvalue()
        messages = [line.split(" timebox.test.redact ", 1)[1] for line in lines if " INFO " in line]
        error = text[text.index("Traceback") :]
    expected = [masked for _, masked in SECRET_LINES] + PLAIN_LINES
    assert messages[: len(expected)] == expected
    assert "/trackers/linear/*** secret='***'" in error
    assert "Zq-9" not in error and "s3'" not in error
