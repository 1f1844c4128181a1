"""An issue body in Markdown (GitHub, Linear) as Timebox reads and writes it: the description, a
section of acceptance criteria, and the issues it names as blocking it.

- Acceptance criteria are the list items under a heading (or a bold line) *Acceptance
  criteria*, up to the next heading; writing them puts that section at the end of the body and
  leaves the rest as it was.
- Dependencies are the issues named after "blocked by" (``Blocked by #12, #14`` or
  ``blocked by acme/api#7``) and the unchecked task-list items that are only an issue
  reference (``- [ ] #12``, or the issue's address): work that must be done first.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s*|\*\*|__)(.+?)(?:\*\*|__)?\s*:?\s*$")
_CRITERIA = re.compile(r"^acceptance criteria$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$")
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


def _is_criteria_heading(line: str) -> bool:
    match = _HEADING.match(line)
    return bool(match) and bool(_CRITERIA.match(match.group(1).strip().rstrip(":")))


def _is_heading(line: str) -> bool:
    return bool(re.match(r"^\s{0,3}#{1,6}\s", line)) or _is_criteria_heading(line)


def split_body(body: str | None) -> tuple[str, tuple[str, ...]]:
    """(the description without the criteria section, the criteria)."""
    lines = (body or "").replace("\r\n", "\n").split("\n")
    start = next((n for n, line in enumerate(lines) if _is_criteria_heading(line)), None)
    if start is None:
        return (body or "").strip(), ()
    end = next(
        (n for n in range(start + 1, len(lines)) if _is_heading(lines[n])),
        len(lines),
    )
    criteria = []
    for line in lines[start + 1 : end]:
        match = _BULLET.match(line)
        if match:
            criteria.append(match.group(1).strip())
    rest = [*lines[:start], *lines[end:]]
    return "\n".join(rest).strip(), tuple(criteria)


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
