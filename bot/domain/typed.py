"""A slash command's text as its parser reads it, and as the person typed it.

The listener decodes the text Slack sends once (handlers/render.from_slack): what was typed, with
the people and user groups picked kept as Slack's markup (`<@U0INES|ines>`,
`<!subteam^S1|@devs>`) for the parsers to read their ids. Typed text can look the same
(`<@U0INES>` typed, not picked): the `<` that would open it is kept apart as `MARK`, a Unicode
noncharacter (never typed, meant for a program's own use), so typed text never reads as a
mention. `as_typed` gives the text back as the person typed it: each `MARK` a `<` again, each
person or group picked by the name Slack showed.
"""

from __future__ import annotations

import re

MARK = "\ufdd0"
"""Stands for a typed `<` that would otherwise open a mention in the parser's text."""

PICKED = re.compile(r"<(@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+)(?:\|([^>]*))?>")
"""A person or user group picked in Slack, as Slack sends it: what the parsers read."""


def picked_name(ref: str, label: str | None) -> str:
    """How a mention reads as typed: its label (`@ines`), else what it refers to."""
    if label:
        return label if label.startswith(("@", "#")) else f"@{label}"
    return "@" + ref.lstrip("@!").split("^")[0]


def named(text: str) -> str:
    """The parser's text with the people and groups picked by their names (`@ines`): for a
    command that reads no ids."""
    return PICKED.sub(lambda m: picked_name(*m.groups()), text)


def as_typed(text: str) -> str:
    """The parser's text (or a part of it) as the person typed it."""
    return named(text).replace(MARK, "<")
