"""Atlassian Document Format (Jira Cloud's rich text) to plain text and back, minimally.

Reading keeps the words and the structure a backlog item needs: paragraphs, line breaks,
headings, bullet/numbered/task lists (``- item``, ``1. item``, ``[x] item``), quotes, code, and
the text of mentions, emoji, links, dates and statuses. Formatting (bold, colour, …) is dropped.

Writing makes paragraphs (a single newline becomes a hard break) and bullet or numbered lists
from blocks whose lines all start with ``- ``/``* `` or ``1. ``. So a description written back
loses its rich formatting: the sync engine should write one only when its text changed.

Acceptance criteria: Jira has no field for them. Unless a board names a custom field, they
are the list that follows a heading (or a paragraph) saying "Acceptance criteria" in the
description; ``split_acceptance`` takes them out and ``join_acceptance`` puts them back.
``replace_acceptance`` writes new criteria into an issue's own document: only the section's
list changes (an item whose text is unchanged is kept as it was, a task's DONE tick with it),
every other node stays as it is, in its place, so rich formatting is never lost to a criteria
edit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

Node = Mapping[str, Any]

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
_AC_TITLES = {"acceptance criteria", "acceptance criterion", "acceptance", "ac"}
AC_HEADING = "Acceptance criteria"
_LISTS = ("bulletList", "orderedList", "taskList")


# -- ADF -> text ---------------------------------------------------------------------------


def adf_to_text(doc: Any) -> str:
    """Plain text of an ADF document (or of a plain string, as Data Center fields are)."""
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc.strip()
    if not isinstance(doc, Mapping):
        return ""
    return "\n\n".join(b for b in (_block(n) for n in _children(doc)) if b.strip()).strip()


def _children(node: Node) -> list[Node]:
    return [c for c in node.get("content") or [] if isinstance(c, Mapping)]


def _inline(nodes: Iterable[Node]) -> str:
    out: list[str] = []
    for node in nodes:
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        if kind == "text":
            text = str(node.get("text") or "")
            href = next(
                (
                    (m.get("attrs") or {}).get("href")
                    for m in node.get("marks") or []
                    if isinstance(m, Mapping) and m.get("type") == "link"
                ),
                None,
            )
            out.append(f"{text} ({href})" if href and href != text else text)
        elif kind == "hardBreak":
            out.append("\n")
        elif kind == "mention":
            out.append(str(attrs.get("text") or "@someone"))
        elif kind == "emoji":
            out.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind in ("inlineCard", "blockCard", "embedCard"):
            out.append(str(attrs.get("url") or ""))
        elif kind == "date":
            out.append(_date(attrs.get("timestamp")))
        elif kind in ("status", "placeholder"):
            out.append(str(attrs.get("text") or ""))
        elif kind in ("mediaInline", "media", "mediaSingle", "mediaGroup"):
            continue
        else:
            out.append(_inline(_children(node)))
    return "".join(out)


def _date(timestamp: Any) -> str:
    try:
        return datetime.fromtimestamp(int(timestamp) / 1000, UTC).strftime("%Y-%m-%d")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def _block(node: Node, indent: str = "") -> str:
    kind = node.get("type")
    if kind in ("paragraph", "heading"):
        return _indent(_inline(_children(node)), indent)
    if kind in _LISTS:
        lines = []
        start = int((node.get("attrs") or {}).get("order") or 1)
        for number, item in enumerate(_children(node), start=start):
            if kind == "bulletList":
                marker = "- "
            elif kind == "orderedList":
                marker = f"{number}. "
            else:
                marker = "[x] " if (item.get("attrs") or {}).get("state") == "DONE" else "[ ] "
            lines.append(_list_item(item, indent, marker))
        return "\n".join(lines)
    if kind == "codeBlock":
        return _indent(_inline(_children(node)), indent)
    if kind == "blockquote":
        inner = "\n".join(_block(c) for c in _children(node))
        return "\n".join(f"{indent}> {line}" for line in inner.splitlines())
    if kind == "rule":
        return f"{indent}---"
    if kind == "table":
        rows = []
        for row in _children(node):
            cells = [" ".join(_block(c).split()) for c in _children(row)]
            rows.append(indent + " | ".join(cells))
        return "\n".join(rows)
    if kind in ("mediaSingle", "mediaGroup", "media"):
        return ""
    if kind in ("inlineCard", "blockCard", "embedCard"):
        return indent + _inline([node])
    if kind == "text":
        return indent + _inline([node])
    # panel, expand, nestedExpand, layoutSection, layoutColumn, decisionList, tableCell, …
    parts = [_block(c, indent) for c in _children(node)]
    return "\n".join(p for p in parts if p.strip())


def _list_item(item: Node, indent: str, marker: str) -> str:
    children = _children(item)
    if item.get("type") == "taskItem" or any(c.get("type") == "text" for c in children):
        return f"{indent}{marker}{_inline(children)}".rstrip()
    first, rest = "", []
    for child in children:
        if child.get("type") in _LISTS:
            rest.append(_block(child, indent + "  "))
        elif not first:
            first = _block(child)
        else:
            rest.append(_block(child, indent + "  "))
    text = f"{indent}{marker}{first}".rstrip()
    return "\n".join([text, *[r for r in rest if r.strip()]])


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line for line in text.split("\n")) if indent else text


# -- text -> ADF ---------------------------------------------------------------------------


def text_to_adf(text: str | None) -> dict[str, Any] | None:
    """An ADF document for plain text, or None for no text (Jira clears the field)."""
    blocks = [b for b in re.split(r"\n\s*\n", (text or "").strip()) if b.strip()]
    if not blocks:
        return None
    return {"type": "doc", "version": 1, "content": [_text_block(b) for b in blocks]}


def _text_block(block: str) -> dict[str, Any]:
    lines = [line.rstrip() for line in block.strip("\n").split("\n")]
    if all(_BULLET.match(line) for line in lines):
        return list_to_adf([_BULLET.match(line).group(1) for line in lines])  # type: ignore[union-attr]
    numbered = [_NUMBERED.match(line) for line in lines]
    if all(numbered):
        first = int(numbered[0].group(1))  # type: ignore[union-attr]
        node = list_to_adf([m.group(2) for m in numbered], ordered=True)  # type: ignore[union-attr]
        if first != 1:
            node["attrs"] = {"order": first}
        return node
    return paragraph(block.strip("\n"))


def paragraph(text: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            content.append({"type": "hardBreak"})
        if line:
            content.append({"type": "text", "text": line})
    return {"type": "paragraph", "content": content}


def list_to_adf(items: Sequence[str], *, ordered: bool = False) -> dict[str, Any]:
    return {
        "type": "orderedList" if ordered else "bulletList",
        "content": [{"type": "listItem", "content": [paragraph(item)]} for item in items],
    }


def doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


# -- acceptance criteria -------------------------------------------------------------------


def _is_ac_title(node: Node) -> bool:
    if node.get("type") not in ("heading", "paragraph"):
        return False
    title = _inline(_children(node)).strip().rstrip(":").strip().lower()
    return title in _AC_TITLES


def list_items(node: Any) -> tuple[str, ...]:
    """The items of a field that holds a list (ADF lists, or one item per non-empty line)."""
    if isinstance(node, Mapping) and node.get("type") in _LISTS:
        return tuple(_item_text(i) for i in _children(node) if _item_text(i))
    text = adf_to_text(node)
    items = []
    for line in text.splitlines():
        m = _BULLET.match(line) or _NUMBERED.match(line)
        value = (m.group(m.lastindex or 1) if m else line).strip()
        if value.startswith(("[ ] ", "[x] ")):
            value = value[4:].strip()
        if value:
            items.append(value)
    return tuple(items)


def _item_text(item: Node) -> str:
    if item.get("type") == "taskItem":
        text = _inline(_children(item))
    else:
        text = " ".join(_block(c) for c in _children(item) if c.get("type") not in _LISTS)
    return " ".join(text.split())


def split_acceptance(document: Any) -> tuple[str, tuple[str, ...]]:
    """(description without the acceptance-criteria section, the criteria)."""
    if not isinstance(document, Mapping):
        return adf_to_text(document), ()
    blocks = _children(document)
    at = _section_at(blocks)
    if at is None:
        return adf_to_text(document), ()
    rest = [*blocks[:at], *blocks[at + 2 :]]
    return adf_to_text({"type": "doc", "content": rest}), list_items(blocks[at + 1])


def _section_at(blocks: Sequence[Any]) -> int | None:
    """Where the criteria's title is among a document's blocks (their list follows it)."""
    for i, node in enumerate(blocks[:-1]):
        after = blocks[i + 1]
        if (
            isinstance(node, Mapping)
            and _is_ac_title(node)
            and isinstance(after, Mapping)
            and after.get("type") in _LISTS
        ):
            return i
    return None


def join_acceptance(description: str, criteria: Sequence[str]) -> dict[str, Any] | None:
    """The description as ADF with the criteria as a titled bullet list at its end."""
    body = text_to_adf(description)
    blocks = list(body["content"]) if body else []
    items = _criteria(criteria)
    if items:
        blocks.extend(_section(items))
    return doc(*blocks) if blocks else None


def _criteria(criteria: Sequence[str]) -> list[str]:
    return [c.strip() for c in criteria if c and c.strip()]


def _section(items: Sequence[str]) -> list[dict[str, Any]]:
    title = {
        "type": "heading",
        "attrs": {"level": 3},
        "content": [{"type": "text", "text": AC_HEADING}],
    }
    return [title, list_to_adf(items)]


def replace_acceptance(document: Any, criteria: Sequence[str]) -> dict[str, Any] | None:
    """The issue's description ``document`` with ``criteria`` as its acceptance criteria, every
    node outside the section's list kept as it is, in its place: the list keeps its type and
    attributes, an item whose text is unchanged is kept whole (its marks, mentions, a task's
    DONE state), a new one is added plain (a task to do, in a task list). No section yet: one is
    appended; no criteria: the section (title and list) goes. None when nothing is left (Jira
    clears the field). A description that is no document (plain text) is written anew."""
    if not isinstance(document, Mapping):
        return join_acceptance(adf_to_text(document), criteria)
    items = _criteria(criteria)
    blocks = list(document.get("content") or [])
    at = _section_at(blocks)
    if at is None and not items:
        return dict(document) if blocks else None
    if at is None:
        blocks.extend(_section(items))
    elif not items:
        del blocks[at : at + 2]
    else:
        blocks[at + 1] = _relisted(blocks[at + 1], items)
    if not blocks:
        return None
    return {**document, "content": blocks}


def _relisted(node: Node, items: Sequence[str]) -> dict[str, Any]:
    """The list ``node`` holding ``items``: each an old item of the same text when one is left,
    else a new one of the list's kind."""
    old = [(" ".join(_item_text(i).split()), i) for i in _children(node)]
    content: list[Any] = []
    for text in items:
        wanted = " ".join(text.split())
        same = next((n for n, (had, _) in enumerate(old) if had == wanted), None)
        content.append(old.pop(same)[1] if same is not None else _new_item(node, text))
    return {**node, "content": content}


def _new_item(node: Node, text: str) -> dict[str, Any]:
    if node.get("type") == "taskList":
        return {
            "type": "taskItem",
            "attrs": {"localId": str(uuid.uuid4()), "state": "TODO"},
            "content": paragraph(text)["content"],
        }
    return {"type": "listItem", "content": [paragraph(text)]}
