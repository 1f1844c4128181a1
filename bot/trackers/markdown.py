"""An issue body in Markdown (GitHub, Linear) as Timebox reads and writes it: the description, a
section of acceptance criteria, and the issues it names as blocking it.

- Acceptance criteria are the list right under a line *Acceptance criteria* (a heading, a bold
  line or a plain one, with or without a colon). The section ends where its list ends: a blank
  line followed by anything but a list item, or a line that is neither an item nor an indented
  continuation of one; text after it (a paragraph, another heading) stays in the description.
  Writing criteria puts the section at the end of the body and leaves the rest as it was. One
  reader for GitHub and Linear.
- Dependencies are the issues named after "blocked by" (``Blocked by #12, #14`` or
  ``blocked by acme/api#7``) and the unchecked task-list items that are only an issue
  reference (``- [ ] #12``, or the issue's address): work that must be done first.
"""

from __future__ import annotations

import re

_TITLE = re.compile(r"^\s{0,3}(?:#{1,6}\s*)?(?:\*\*|__)?\s*(.+?)\s*(?:\*\*|__)?\s*:?\s*$")
_CRITERIA_TITLES = {"acceptance criteria", "acceptance criterion"}
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$")
_EMPTY_BOX = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]?\]\s*$")  # "- [ ]": an item, no text
_REF = r"(?:(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+))?#(?P<number>\d+)"
_URL_REF = r"https?://[^/\s]+/(?P<uowner>[\w.-]+)/(?P<urepo>[\w.-]+)/issues/(?P<unumber>\d+)"
_BLOCKED = re.compile(
    r"\bblocked\s+by\b:?\s*((?:(?:[\w.-]+/[\w.-]+)?#\d+|https?://\S+/issues/\d+)"
    r"(?:\s*(?:,|and|&)\s*(?:(?:[\w.-]+/[\w.-]+)?#\d+|https?://\S+/issues/\d+))*)",
    re.IGNORECASE,
)
_ONE_REF = re.compile(f"{_URL_REF}|{_REF}")
_TASK = re.compile(r"^\s*[-*+]\s+\[ \]\s+(?:(?:[\w.-]+/[\w.-]+)?#\d+|https?://\S+/issues/\d+)\s*$")

CRITERIA_HEADING = "## Acceptance criteria"


def _is_criteria_title(line: str) -> bool:
    match = _TITLE.match(line)
    return bool(match) and match.group(1).strip().rstrip(":").strip().lower() in _CRITERIA_TITLES


def _is_item(line: str) -> bool:
    return bool(_BULLET.match(line) or _EMPTY_BOX.match(line))


def _list_at(lines: list[str], start: int) -> tuple[list[str], int] | None:
    """The list that starts at ``start`` (blank lines before it skipped): its items, and the
    index of the first line after it. The list ends at a blank line followed by a non-item,
    or at a line that is neither an item nor an indented continuation of the last one. None
    when no list starts there."""
    at = start
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at == len(lines) or not _is_item(lines[at]):
        return None
    items: list[str] = []
    while at < len(lines):
        line = lines[at]
        if item := _BULLET.match(line):
            if not _EMPTY_BOX.match(line):  # an unfilled task-list item ("- [ ]") says nothing
                items.append(item.group(1).strip())
        elif line.strip() and items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()  # an item continued on the next line
        elif line.strip() or at + 1 == len(lines) or not _is_item(lines[at + 1]):
            break  # a paragraph, a heading, or a blank line not followed by an item
        at += 1
    return items, at


def split_body(body: str | None) -> tuple[str, tuple[str, ...]]:
    """(the description without the criteria section, the criteria). The section is the first
    "Acceptance criteria" line followed by a list; its list alone is taken, so a paragraph
    after it stays in the description and survives the criteria being written back."""
    lines = (body or "").replace("\r\n", "\n").split("\n")
    for start, line in enumerate(lines):
        found = _list_at(lines, start + 1) if _is_criteria_title(line) else None
        if found is None:
            continue  # not the title, or a title with no list under it: just text
        items, end = found
        rest = "\n".join([*lines[:start], *lines[end:]])
        return re.sub(r"\n{3,}", "\n\n", rest).strip(), tuple(items)
    return (body or "").strip(), ()


def join_body(description: str, criteria: tuple[str, ...] | list[str]) -> str:
    """The body for a description and criteria (the section only when there are criteria)."""
    text = (description or "").strip()
    if not criteria:
        return text
    section = "\n".join([CRITERIA_HEADING, *(f"- {c}" for c in criteria)])
    return f"{text}\n\n{section}" if text else section


def references(body: str | None, repo: str) -> tuple[str, ...]:
    """Keys (``owner/repo#N``) of the issues the body says block this one, in order."""
    text = body or ""
    found: list[str] = []

    def add(match: re.Match[str]) -> None:
        if match.group("unumber"):
            key = f"{match.group('uowner')}/{match.group('urepo')}#{match.group('unumber')}"
        elif match.group("owner"):
            key = f"{match.group('owner')}/{match.group('repo')}#{match.group('number')}"
        else:
            key = f"{repo}#{match.group('number')}"
        if key not in found:
            found.append(key)

    for blocked in _BLOCKED.finditer(text):
        for ref in _ONE_REF.finditer(blocked.group(1)):
            add(ref)
    for line in text.replace("\r\n", "\n").split("\n"):
        if _TASK.match(line):
            ref = _ONE_REF.search(line)
            if ref is not None:
                add(ref)
    return tuple(found)
