"""Block Kit primitives, built with slack_sdk's models.

Builders return plain dicts ready for the Web API; the text inside comes from templates (see
render.py) and is cut to Slack's limits here, where the limits are known."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.render import fit, render

SECTION_MAX = 3000
HEADER_MAX = 150


def message(blocks: Sequence[Block], text: str) -> dict[str, Any]:
    """A message payload: blocks plus the fallback Slack shows in notifications.

    `text` is Slack markup already: user text in it must have gone through `escape`.
    """
    return {"blocks": [b.to_dict() for b in blocks], "text": fit(text, 3000)}


def section(text: str, accessory: Any = None, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=fit(text, SECTION_MAX)),
        accessory=accessory,
        block_id=block_id,
    )


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=fit(text, SECTION_MAX))])


def button(
    label: str, action_id: str, value: str = "", style: str | None = None, url: str | None = None
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=fit(label, 75), emoji=True),
        action_id=action_id,
        value=value or None,
        style=style,
        url=url,
    )


def notice(text: str, emoji: str = ":information_source:") -> dict[str, Any]:
    body = render("notice.md.j2", text=text, emoji=emoji)
    return message([section(body)], body)


def mrkdwn_notice(body: str) -> dict[str, Any]:
    """A notice whose text is already Slack markup (rendered by a template)."""
    return message([section(body)], body)


def metadata_json(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))
