"""An issue body in Markdown (GitHub, Linear) as Timebox reads and writes it: the description, a
section of acceptance criteria, and the issues it names as blocking it.

- Acceptance criteria are the list right under a line *Acceptance criteria* (a heading, a bold
  line or a plain one, with or without a colon). The section ends where its list ends: a blank
  line followed by anything but a list item, or a line that is neither an item nor an indented
  continuation of one; text after it (a paragraph, another heading) stays in the description.
  Writing criteria over an issue's body (``replace_criteria``) changes that list alone, in its
  place: every other byte of the body stays, and an item whose text is unchanged keeps its line
  (a ticked ``- [x]`` stays ticked); a body with no section gets one at its end. One reader for
  GitHub and Linear (``body_after``: the body an update leaves).
- Dependencies are the issues named after "blocked by" (``Blocked by #12, #14`` or
  ``blocked by acme/api#7``) and the unchecked task-list items that are only an issue
  reference (``- [ ] #12``, or the issue's address): work that must be done first.
"""

from __future__ import annotations

import re

from bot.domain import trackers

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
_TASK = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])\s+\[ \]\s+(?:(?:[\w.-]+/[\w.-]+)?#\d+|https?://\S+/issues/\d+)\s*$"
)

CRITERIA_HEADING = "## Acceptance criteria"


def _is_criteria_title(line: str) -> bool:
    match = _TITLE.match(line)
    return bool(match) and match.group(1).strip().rstrip(":").strip().lower() in _CRITERIA_TITLES


def _is_item(line: str) -> bool:
    return bool(_BULLET.match(line) or _EMPTY_BOX.match(line))


def _list_at(lines: list[str], start: int) -> tuple[list[str], int, int] | None:
    """The list that starts at ``start`` (blank lines before it skipped): its items, the index
    of its first line and that of the first line after it. The list ends at a blank line
    followed by a non-item, or at a line that is neither an item nor an indented continuation
    of the last one. None when no list starts there."""
    at = start
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at == len(lines) or not _is_item(lines[at]):
        return None
    first = at
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
    return items, first, at


def _section(lines: list[str]) -> tuple[int, int, int, tuple[str, ...]] | None:
    """The criteria section: the index of its title line, of its list's first line and of the
    first line after the list, and the criteria. The section is the first "Acceptance criteria"
    line followed by a list."""
    for start, line in enumerate(lines):
        found = _list_at(lines, start + 1) if _is_criteria_title(line) else None
        if found is not None:  # else not the title, or a title with no list under it: text
            items, first, end = found
            return start, first, end, tuple(items)
    return None


def split_body(body: str | None) -> tuple[str, tuple[str, ...]]:
    """(the description without the criteria section, the criteria). The section is the first
    "Acceptance criteria" line followed by a list; its list alone is taken, so a paragraph
    after it stays in the description and survives the criteria being written back."""
    text = body or ""
    lines = text.replace("\r\n", "\n").split("\n")
    found = _section(lines)
    if found is None:
        return text.strip(), ()
    start, _, end, criteria = found
    rest = "\n".join([*lines[:start], *lines[end:]])
    return re.sub(r"\n{3,}", "\n\n", rest).strip(), criteria


def body_after(body: str | None, update: trackers.IssueUpdate) -> str:
    """An issue's ``body`` once ``update``'s text is written: its criteria alone changed, only
    their list changes, in place (``replace_criteria``); else the body is written anew from
    the description and criteria (``join_body``)."""
    criteria = update.acceptance_criteria
    if update.description is trackers.KEEP and criteria is not trackers.KEEP:
        return replace_criteria(body, tuple(criteria))  # type: ignore[arg-type]
    return join_body(*update.text_over(*split_body(body)))


def join_body(description: str, criteria: tuple[str, ...] | list[str]) -> str:
    """The body for a description and criteria (the section only when there are criteria)."""
    text = (description or "").strip()
    items = [c.strip() for c in criteria if c and c.strip()]
    if not items:
        return text
    section = "\n".join([CRITERIA_HEADING, *(f"- {c}" for c in items)])
    return f"{text}\n\n{section}" if text else section


_MARKER = re.compile(r"^(\s*)(?:([-*+])|(\d+)([.)]))(\s+)(\[[ xX]\]\s+)?")


def replace_criteria(body: str | None, criteria: tuple[str, ...] | list[str]) -> str:
    """``body`` with ``criteria`` as its acceptance criteria. Only the section's list changes,
    in its place: an item whose text is unchanged keeps its lines as they were (a ``- [x]``
    tick, its marker, a continuation), a new one is written as the list's first item is (``-
    [ ]`` in a task list), a numbered list is numbered again; every other byte of the body
    stays. No section yet: one is appended to the body; no criteria: the section (title and
    list) goes."""
    text = body or ""
    items = [c.strip() for c in criteria if c and c.strip()]
    lines = text.split("\n")  # a "\r" ending a line (CRLF) stays with it
    found = _section(lines)
    if found is None:
        return join_body(text, items) if items else text
    start, first, end, _ = found
    if not items:
        before, after = lines[:start], lines[end:]
        while after and not after[0].strip() and (not before or not before[-1].strip()):
            after = after[1:]  # one blank line where the section was, none at an edge
        while before and not before[-1].strip() and not after:
            before = before[:-1]
        return "\n".join([*before, *after])
    return "\n".join([*lines[:first], *_relisted(lines[first:end], items), *lines[end:]])


def _relisted(lines: list[str], items: list[str]) -> list[str]:
    """A list's ``lines`` holding ``items``: each the old item of that text while one is left,
    else a new line; blank lines between items stay if the list had them (a loose list)."""
    chunks: list[list[str]] = []  # each item's lines: its own and its continuations
    for line in lines:
        if _is_item(line):
            chunks.append([line])
        elif line.strip() and chunks:
            chunks[-1].append(line)
    old = [(_item_words(chunk), chunk) for chunk in chunks]
    cr = "\r" if lines[0].endswith("\r") else ""
    loose = any(not line.strip() for line in lines)
    marker = _MARKER.match(lines[0])
    out: list[str] = []
    for at, text in enumerate(items):
        wanted = " ".join(text.split())
        same = next((n for n, (had, _) in enumerate(old) if had == wanted), None)
        chunk = list(old.pop(same)[1]) if same is not None else [_new_line(marker, text) + cr]
        if marker and marker.group(3):  # a numbered list is numbered again
            chunk[0] = _numbered(chunk[0], int(marker.group(3)) + at)
        if out and loose:
            out.append(cr)
        out.extend(chunk)
    return out


def _numbered(line: str, number: int) -> str:
    marker = _MARKER.match(line)
    if marker is None or marker.group(3) is None:
        return line
    return f"{marker.group(1)}{number}{line[marker.end(3) :]}"


def _item_words(chunk: list[str]) -> str:
    item = _BULLET.match(chunk[0])
    text = " ".join([item.group(1) if item else "", *(line.strip() for line in chunk[1:])])
    return " ".join(text.split())


def _new_line(marker: re.Match[str] | None, text: str) -> str:
    if marker is None:
        return f"- {text}"
    indent, bullet, number, delimiter, space, box = marker.groups()
    return f"{indent}{bullet or f'{number}{delimiter}'}{space}{'[ ] ' if box else ''}{text}"


_NOT_SAID = re.compile(
    r"<!--.*?(?:-->|\Z)"  # an HTML comment: an issue template's guidance, shown to nobody
    r"|^[ ]{0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=fence)[^\n]*$|\Z)",  # code
    re.DOTALL | re.MULTILINE,
)


def references(body: str | None, repo: str) -> tuple[str, ...]:
    """Keys (``owner/repo#N``) of the issues the body says block this one, in order; what it
    shows as code or hides in a comment (``_NOT_SAID``: an example, a template's guidance)
    says nothing."""
    text = _NOT_SAID.sub("", (body or "").replace("\r\n", "\n"))
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
    for line in text.split("\n"):
        if _TASK.match(line):
            ref = _ONE_REF.search(line)
            if ref is not None:
                add(ref)
    return tuple(found)
