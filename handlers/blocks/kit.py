"""Block Kit primitives, built with slack_sdk's models.

Builders return plain dicts ready for the Web API; the text inside comes from templates (see
render.py) and is cut to Slack's limits here, where the limits are known."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

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


def sections(text: str) -> list[SectionBlock]:
    """Text longer than a section holds, as the sections it needs, split between its lines (a
    single line longer than a section is cut): nothing after a long part is lost."""
    parts: list[str] = []
    for line in text.split("\n"):
        if parts and len(parts[-1]) + 1 + len(line) <= SECTION_MAX:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return [section(part.strip("\n")) for part in parts if part.strip()]


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


def with_buttons(
    text: str, buttons: Sequence[ButtonElement], fallback: str, *, header: str | None = None
) -> dict[str, Any]:
    """A message of its text (one section, more when it is longer than one holds) with a row
    of buttons under it (none without buttons), and a header above if given."""
    blocks: list[Block] = [HeaderBlock(text=header)] if header else []
    blocks += sections(text)
    if buttons:
        blocks.append(ActionsBlock(elements=list(buttons)))
    return message(blocks, fallback)


def notice(text: str, emoji: str = ":information_source:") -> dict[str, Any]:
    body = render("notice.md.j2", text=text, emoji=emoji)
    return message([section(body)], body)


def mrkdwn_notice(body: str) -> dict[str, Any]:
    """A notice whose text is already Slack markup (rendered by a template)."""
    return message([section(body)], body)


def metadata_json(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))


# -- forms ---------------------------------------------------------------------------------------


def modal(
    callback_id: str, title: str, blocks: Sequence[Block], *, submit: str = "Save", **metadata: Any
) -> dict[str, Any]:
    """A form; `metadata` (its channel, and what it edits) goes in its private_metadata."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=fit(title, 24),
        submit=submit,
        close="Cancel",
        private_metadata=metadata_json(**metadata),
        blocks=list(blocks),
    ).to_dict()


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    max_length: int | None = None,
    multiline: bool | None = None,
    placeholder: str | None = None,
    **field: Any,
) -> InputBlock:
    """A text field of a form (an empty `initial` shows the placeholder); `field` may say
    `hint` and `optional`, as for every input."""
    element = PlainTextInputElement(
        action_id="value",
        multiline=multiline,
        max_length=max_length,
        initial_value=initial or None,
        placeholder=placeholder,
    )
    return InputBlock(block_id=block_id, label=label, element=element, **field)


def number_input(
    block_id: str,
    label: str,
    *,
    decimal: bool,
    low: int,
    high: int,
    initial: str | None = None,
    **field: Any,
) -> InputBlock:
    """A number field of a form, from `low` to `high`; `field` as for `text_input`."""
    element = NumberInputElement(
        action_id="value",
        is_decimal_allowed=decimal,
        min_value=str(low),
        max_value=str(high),
        initial_value=initial,
    )
    return InputBlock(block_id=block_id, label=label, element=element, **field)


def checkboxes_input(
    block_id: str, label: str, options: Sequence[Option], ticked: Collection[str], **field: Any
) -> InputBlock:
    """Boxes to tick in a form, those whose value is in `ticked` ticked; `field` as for
    `text_input`."""
    element = CheckboxesElement(
        action_id="value",
        options=list(options),
        initial_options=[o for o in options if o.value in ticked] or None,
    )
    return InputBlock(block_id=block_id, label=label, element=element, **field)
