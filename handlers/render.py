"""Text for Slack through Jinja2 templates, escaped by default.

Every `{{ value }}` is escaped for Slack (`&`, `<`, `>` only: what Slack itself asks for), so a
title like `<!channel>` is shown as typed and pings nobody. Markup the bot builds on purpose
(mentions, dates, links) is wrapped in `Mrkdwn` and passes through untouched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.readiness import points

TEMPLATE_DIRS = [
    Path(__file__).with_name("templates"),
    Path(__file__).parent.parent / "agendas" / "templates",
]


class Mrkdwn(str):
    """Text already in Slack's markup language; the template escaping leaves it alone."""


def escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mrkdwn):
        return value
    return escape(value)


def mention(user: str | None) -> Mrkdwn:
    return Mrkdwn(f"<@{user}>") if user else Mrkdwn("nobody")


def channel(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{channel_id}>")


def slack_date(when: datetime, style: str = "{date_short_pretty} at {time}") -> Mrkdwn:
    """A time Slack shows in each reader's own time zone; the fallback is UTC."""
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return Mrkdwn(f"<!date^{int(when.timestamp())}^{style}|{fallback}>")


def fit(text: str, limit: int) -> str:
    """Shortens text to Slack's limit for its field, saying that it did."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in TEMPLATE_DIRS]),
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        mention=mention,
        channel=channel,
        date=slack_date,
        points=points,
        mrkdwn=Mrkdwn,
        fit=fit,
    )
    return env


ENV = _env()


def render(template: str, **context: Any) -> str:
    return ENV.get_template(template).render(**context).strip()
