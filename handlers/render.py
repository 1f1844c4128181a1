"""Text for Slack through Jinja2 templates, escaped by default.

Every `{{ value }}` is escaped for Slack (`&`, `<`, `>` only: what Slack itself asks for), so a
title like `<!channel>` is shown as typed and pings nobody. Markup the bot builds on purpose
(mentions, dates, links) is wrapped in `Mrkdwn` and passes through untouched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.domain import typed
from bot.domain.readiness import points, points_unit

if TYPE_CHECKING:  # Jinja2 is loaded with the first text rendered, not to start (10 ms)
    from jinja2 import Environment

TEMPLATE_DIRS = [
    Path(__file__).with_name("templates"),
    Path(__file__).parent.parent / "agendas" / "templates",
]


class Mrkdwn(str):
    """Text already in Slack's markup language; the template escaping leaves it alone."""


def escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_MARKUP = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>|<([^>|]+)(?:\|([^>]*))?>")
# Slack's entities, and a typed `<` that would open a mention (kept apart: typed.MARK)
_ENTITY = re.compile(r"&lt;(?=@|!subteam\^)|&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">", None: typed.MARK}


def from_slack(text: str) -> str:
    """A slash command's text as its parser reads it, from Slack's wire format, decoded once
    where the command reaches its listener (`Asked.text`).

    Slack sends `&`, `<`, `>` as entities and what was picked as markup. The people and user
    groups picked stay Slack's markup, for the parsers to read their ids (bot/domain/typed.py
    says how typed text is kept from reading as one, and `typed.as_typed` names them); other
    markup reads as typed (`#channel`, `@here`, a link), which can never ping when shown again.
    """

    def readable(match: re.Match[str]) -> str:
        sigil, ref, label, link, link_label = match.groups()
        if link is not None:
            return link_label or link
        if typed.PICKED.fullmatch(match.group(0)):
            return match.group(0)
        if sigil == "#":
            return label if label and label.startswith(("@", "#")) else "#" + (label or ref)
        return typed.picked_name(sigil + ref, label)

    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], _SLACK_MARKUP.sub(readable, text))


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mrkdwn):
        return value
    return escape(value)


def mention(user: str | None) -> Mrkdwn:
    return Mrkdwn(f"<@{user}>") if user else Mrkdwn("nobody")


def mentions(users: Iterable[str]) -> Mrkdwn:
    """People (U…, W…) and user groups (S…, `@design-team`), as Slack links them."""
    return Mrkdwn(", ".join(f"<!subteam^{u}>" if u.startswith("S") else f"<@{u}>" for u in users))


def channel(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{channel_id}>")


def slack_date(when: datetime, style: str = "{date_short_pretty} at {time}") -> Mrkdwn:
    """A time Slack shows in each reader's own time zone; the fallback is UTC."""
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return Mrkdwn(f"<!date^{int(when.timestamp())}^{style}|{fallback}>")


# Slack's mrkdwn has no escape for its markers: inside a wrapper the bot writes (`*bold*`,
# `_italic_`, `~strike~`, `` `code` ``) each becomes a look-alike that formats nothing.
_MARKER_LOOKALIKES = str.maketrans(
    {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb", "\n": " ", "\r": " "}
)


def literal(text: object) -> str:
    """User text shown as typed inside the bot's own `*…*` or `_…_`: a `*` in a title would
    end the bold early (and a line break ends any wrapper), so none of them survives. Still
    escaped like any other value (text already escaped stays so)."""
    safe = str(text).translate(_MARKER_LOOKALIKES)
    return Mrkdwn(safe) if isinstance(text, Mrkdwn) else safe


_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*([^*\n]+)\*")


def unmarked(text: str) -> str:
    """A message written in mrkdwn, for a place Slack shows as plain text (a form field's
    error): `code` in quotes, *bold* as its words, rather than the markers shown as typed."""
    return _BOLD.sub(r"\1", _CODE.sub("\u201c\\1\u201d", text))


# What a cut must not split: an entity (`&amp;`, `&lt;`, `&gt;`) or Slack's `<…>` markup, left
# open at the end of the text kept.
_OPEN_AT_END = re.compile(r"&[a-z]{0,3}$|<[^<>]*$")


def fit(text: str, limit: int) -> str:
    """Shortens text to Slack's limit for its field, saying that it did; the cut never lands
    inside an entity or a mention, date or link (those go whole)."""
    if len(text) <= limit:
        return text
    return _OPEN_AT_END.sub("", text[: limit - 1]) + "…"


def plain(text: object, limit: int) -> str:
    """User text for a plain_text field (a label, an option): Slack decodes `&lt;` there too, so
    it is escaped like mrkdwn, then cut to the limit without splitting an entity."""
    return fit(escape(text), limit)


def fit_escaped(text: object, limit: int) -> Mrkdwn:
    """User text escaped, then cut to `limit` as Slack counts it (entities included), never
    inside an entity: for a long list of titles in a field that has a limit."""
    return Mrkdwn(plain(text, limit))


@functools.cache
def environment() -> Environment:
    """The templates' environment, made on first use."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

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
        mentions=mentions,
        channel=channel,
        date=slack_date,
        points=points,
        pts=points_unit,
        mrkdwn=Mrkdwn,
        fit=fit,
        fit_escaped=fit_escaped,
        literal=literal,
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context).strip()
