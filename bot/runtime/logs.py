"""Log records that say which Slack request they belong to, as plain text or one JSON per line.

A listener binds the team, channel, user and request id of the Slack request it serves to
context variables (`bind`); every record logged while it runs, in any module, carries them.
With TIMEBOX_LOG_FORMAT=json each record is one JSON object on one line, which log shippers
index without parsing rules; plain text stays the default for people reading a terminal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
QUIET = ("apscheduler",)
"""Loggers kept to warnings: APScheduler says "Running job ..." and "... executed
successfully" at INFO on every tick of the second-by-second sweep; the sweep's jobs say what
they did themselves (bot.runtime.scheduling)."""
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FIELDS = ("team", "channel", "user", "request")

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
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii keeps one record on one line whatever the message holds.
        return json.dumps(entry, ensure_ascii=True, default=str)


def quiet_ticks() -> None:
    """Keeps the scheduler's per-tick chatter out of the logs (its warnings still show)."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def handler(fmt: str, stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) in the given format, with the request's fields."""
    out = logging.StreamHandler(stream)
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    out.addFilter(ContextFilter())
    return out
