"""Log records that say which Slack request they belong to, as plain text or one JSON per line.

A listener binds the team, channel, user and request id of the Slack request it serves to
context variables (`bind`); every record logged while it runs, in any module, carries them.
With TIMEBOX_LOG_FORMAT=json each record is one JSON object on one line, which log shippers
index without parsing rules; plain text stays the default for people reading a terminal.

Secrets stay out, even at DEBUG: the libraries that log whole request and answer bodies at
DEBUG (the Slack client, Bolt, gql, aiosqlite) are kept at INFO or above whatever the level
(`quiet_ticks`), and Timebox's handler masks what still looks like a secret (`Redact`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
QUIET = {
    "apscheduler": logging.WARNING,
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.INFO,
    "gql": logging.INFO,
    "aiosqlite": logging.INFO,
}
"""Loggers kept at a level or above, whatever the configured one (a higher one wins).
APScheduler to warnings: it says "Running job ..." and "... executed successfully" at INFO
on every tick of the second-by-second sweep; the sweep's jobs say what they did themselves
(bot.runtime.scheduling). The others to INFO, as their DEBUG lines carry whole bodies: the
Slack client's every request and answer (the connect answer with a tracker's webhook secret,
its response_url calls too) and Socket Mode's every envelope (a form's typed API token);
Bolt's every ack; gql's every GraphQL request with its variables (the Linear webhook secret
and address Timebox sends) and answer; aiosqlite's every statement with its parameters."""
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FIELDS = ("team", "channel", "user", "request")
MASK = "***"
_WORDS = r"secret|token|password|api_?key|authorization"
_PREFIXES = r"(?:xox[a-z]|xapp)-|gh[pousr]_|github_pat_|lin_(?:api|oauth)_"
SECRETS = re.compile(
    # a tracker webhook's or a calendar feed's address: its token is the secret
    r"(?P<path>/(?:trackers/[a-z]+|calendar)/)[\w-]+"
    # a field named for a secret (client_secret, accessToken, api_key, Authorization) ...
    rf"|(?P<key>(?:{_WORDS})[\w-]*)(?:"
    # ... as a header, its scheme kept: Authorization: Bearer ***
    r"(?P<scheme>['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)\s+)[^\s'\",;]+"
    # ... in JSON, a repr or Markdown: "secret": "***", token='***', Secret: `***`
    r"|(?P<quoted>['\"]?\s*[:=]\s*(?P<quote>['\"`]))(?:\\.|(?!(?P=quote))[^\\])+(?P=quote)"
    # ... in a query or a key=value list: token=***
    r"|(?P<bare>=)[^\s&'\",;)}\]]+)"
    # Slack's tokens, GitHub's and Linear's, by their prefixes
    rf"|(?:{_PREFIXES})[\w-]+"
    # Atlassian's API tokens (ATATT3…=CHECKSUM), by theirs
    r"|ATATT[\w=-]{20,}"
    # a password in a URL's user info: https://user:***@host
    r"|(?P<userinfo>://[^\s/?#@:]*:)[^\s/?#@]+(?=@)"
    # a private key (PEM), to its end or to the end of the text
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"
    # a JSON Web Token: header.payload.signature, both JSON parts starting {"
    r"|eyJ[\w-]{8,}\.eyJ[\w-]{4,}\.[\w-]+",
    re.IGNORECASE,
)
"""What looks like a secret in a log line: ``redact`` masks each match in one pass."""
_HINT = re.compile(rf"/trackers/|/calendar/|{_WORDS}|{_PREFIXES}|atatt|:[^\s/@]*@|-----begin|eyj")
"""A quick look, in lower case, for what ``SECRETS`` could match: most lines have none, and
are left as they are at a fraction of its cost."""

_context: ContextVar[Mapping[str, str] | None] = ContextVar("timebox_log_context", default=None)


@contextlib.contextmanager
def bind(**fields: str | None) -> Iterator[None]:
    """Adds fields (None ones are left out) to every record logged inside the block."""
    token = _context.set({**current(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def current() -> Mapping[str, str]:
    """The fields bound for the request being served (empty outside one)."""
    return _context.get() or {}


def request_id(body: Mapping[str, Any]) -> str:
    """One id per Slack request: the event's id, else the interaction's trigger_id, else new.

    Slack's own ids let an operator find the request in Slack's logs too; a retried event keeps
    its event_id, so its records group with the first delivery's.
    """
    for key in ("event_id", "trigger_id"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Copies the bound fields onto each record (as attributes), for any formatter to use."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _mask(match: re.Match[str]) -> str:
    if match["key"]:
        kept = match["key"] + (match["scheme"] or match["quoted"] or match["bare"])
        return f"{kept}{MASK}{match['quote'] or ''}"
    return f"{match['path'] or match['userinfo'] or ''}{MASK}"


def redact(text: str) -> str:
    """``text`` with what looks like a secret masked (``SECRETS``): a webhook's token in its
    address, a secret, token, password or API key field's value, an Authorization header's
    credential, a Slack, GitHub, Linear or Atlassian token, a URL's password, a private key,
    a JSON Web Token."""
    if _HINT.search(text.lower()) is None:
        return text
    return SECRETS.sub(_mask, text)


class Redact(logging.Filter):
    """Masks what looks like a secret in each record's message, error and stack (``redact``):
    a second line of defence behind the libraries kept quiet (``QUIET``), for a body some
    other library or an error's text would carry. The record is changed in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit: the handler reports it, as without us
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's ids, any error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None) or current().get(name)
            if value:
                entry[name] = str(value)
        if record.exc_info or record.exc_text:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii keeps one record on one line whatever the message holds.
        return json.dumps(entry, ensure_ascii=True, default=str)


def quiet_ticks() -> None:
    """Keeps the scheduler's per-tick chatter and the clients' bodies out of the logs
    (``QUIET``): each of those loggers at its level, or the root's when that is higher. Run
    once the root's level is set and before the app is built (its Slack client and Bolt
    loggers take their level from these)."""
    root = logging.getLogger().getEffectiveLevel()
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(max(level, root))


def handler(fmt: str, stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) in the given format, with the request's fields
    and what looks like a secret masked."""
    out = logging.StreamHandler(stream)
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    out.addFilter(ContextFilter())
    out.addFilter(Redact())
    return out
