"""Backlog import from CSV (with Jira's export column names) and export to CSV or Markdown.

Jira writes custom fields as `Custom field (Story Points)`; both spellings are understood. The
export uses the same names, so an exported file imports again unchanged. Exported cells that a
spreadsheet would run as a formula are neutralised (bot/domain/csv_cells.py), and the import
takes that quote off again, so the round trip is exact.

Plain functions: reading a file gives the rows to add (`parse_csv`); adding them is the use
case's (bot/usecases/backlog.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.domain.backlog import (
    EPIC_MAX,
    ITEM_TYPES,
    PRIORITY_MAX,
    ItemFields,
    clean_title,
    format_dependencies,
    parse_dependencies,
    parse_estimate,
    parse_labels,
    parse_lines,
    status_of,
    too_long_for_form,
)
from bot.domain.csv_cells import neutralised, restored
from bot.domain.errors import UserError
from bot.domain.readiness import points
from storage.models import BacklogItem

COLUMNS = {
    "title": ("summary", "title", "name"),
    "hypothesis": ("description", "value hypothesis", "hypothesis"),
    "acceptance_criteria": ("acceptance criteria", "acceptance criterion"),
    "estimate": ("story points", "story point estimate", "estimate", "points"),
    "type": ("issue type", "type"),
    "priority": ("priority",),
    "labels": ("labels",),
    "epic": ("epic", "epic link", "epic name"),
    "dependencies": ("dependencies", "depends on"),
}
JIRA_TYPES = {
    "story": "story",
    "user story": "story",
    "task": "story",
    "new feature": "story",
    "feature": "story",
    "improvement": "story",
    "bug": "bug",
    "defect": "bug",
    "tech debt": "tech_debt",
    "technical debt": "tech_debt",
    "tech_debt": "tech_debt",
    "enabler": "enabler",
    "spike": "spike",
}
MAX_ROWS = 5000
MAX_FILE_BYTES = 2_000_000
"""A shared CSV file larger than this is not downloaded; the sharer is told the limit."""


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, reason)


@dataclass
class ParsedCsv:
    """A file read: the rows to add, in file order, and the rows refused with their reasons;
    rows are numbered as a spreadsheet shows them (the header is row 1)."""

    rows: list[tuple[int, ItemFields]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def _normalise(header: str) -> str:
    name = header.strip().lower()
    custom = re.fullmatch(r"custom field \((.*)\)", name)
    return custom.group(1).strip() if custom else name


def _column_map(headers: Sequence[str]) -> dict[str, int]:
    """Our field name -> column index, from whatever header names the file uses."""
    found: dict[str, int] = {}
    names = [_normalise(h) for h in headers]
    for fieldname, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[fieldname] = names.index(alias)
                break
    return found


def _row_fields(row: list[str], columns: dict[str, int]) -> ItemFields:
    def cell(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        text = restored(row[index])
        # A quoted cell is exactly what was exported; other cells lose stray spaces.
        return text if text != row[index] else text.strip()

    title = cell("title")
    if not title.strip():
        raise UserError("no Summary/Title")
    type_text = cell("type")
    item_type = JIRA_TYPES.get(type_text.lower()) if type_text else "story"
    if item_type is None:
        raise UserError(f"issue type `{type_text}` is not one of {', '.join(ITEM_TYPES.values())}")
    fields = ItemFields(
        title=clean_title(title),
        hypothesis=cell("hypothesis"),
        type=item_type,
        acceptance_criteria=parse_lines(cell("acceptance_criteria")),
        dependencies=parse_dependencies(cell("dependencies")),
        estimate=parse_estimate(cell("estimate")),
        # Cut to what the database keeps (the item form has the same limits).
        epic=cell("epic")[:EPIC_MAX] or None,
        labels=parse_labels(cell("labels").replace(" ", ",")),
        priority=cell("priority")[:PRIORITY_MAX] or None,
    )
    problem = too_long_for_form(fields)
    if problem:
        raise UserError(problem)
    return fields


def looks_like_backlog(text: str) -> bool:
    """True when the first line names a title column: a CSV meant for the backlog."""
    try:
        headers = next(_rows(text), None)
    except csv.Error:
        return False
    return bool(headers) and "title" in _column_map(headers)


def _rows(text: str) -> Iterator[list[str]]:
    """CSV rows; newline="" lets the csv module see a lone CR (old Mac files) as a line end."""
    return csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))


def parse_csv(text: str) -> ParsedCsv:
    """The rows of a backlog CSV to add, and those refused with the reason; a file that is not
    a backlog at all (no header, no title column) is refused whole (UserError).

    Pure and CPU-bound on a big file: callers run it off the event loop."""
    reader = _rows(text)
    try:
        headers = next(reader, None)
    except csv.Error as error:
        raise UserError(f"The CSV's first line cannot be read: {error}.") from None
    if not headers:
        raise UserError(
            "The CSV is empty. Its first line must name the columns, e.g. `Summary,Story Points`."
        )
    columns = _column_map(headers)
    if "title" not in columns:
        raise UserError(
            "The CSV has no `Summary` or `Title` column. Known columns: Summary/Title, "
            "Description, Acceptance Criteria, Story Points, Issue Type, Priority, Labels."
        )
    parsed = ParsedCsv()
    report = ImportReport(refused=parsed.refused)
    for line, row in enumerate(_readable(reader, report), start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            parsed.refused.append((line, f"more than {MAX_ROWS} rows in one import"))
            continue
        try:
            parsed.rows.append((line, _row_fields(row, columns)))
        except UserError as error:
            parsed.refused.append((line, error.message))
    return parsed


def _readable(reader: Iterator[list[str]], report: ImportReport) -> Iterator[list[str]]:
    """The rows up to one the csv module cannot read (a field over its size limit, say), which
    is refused with the rest of the file: nothing after it can be trusted to line up."""
    line = 1
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report.refused.append((line, f"this row and the rest cannot be read: {error}"))
            return
        yield row


EXPORT_HEADERS = [
    "Key",
    "Summary",
    "Description",
    "Acceptance Criteria",
    "Story Points",
    "Issue Type",
    "Priority",
    "Status",
    "Owner",
    "Epic",
    "Labels",
    "Dependencies",
]


def _export_row(item: BacklogItem) -> list[str]:
    return [
        f"#{item.number}",
        item.title,
        item.hypothesis,
        "\n".join(item.acceptance_criteria),
        points(item.estimate) if item.estimate is not None else "",
        ITEM_TYPES[item.type],
        item.priority or "",
        status_of(item),
        item.owner or "",
        item.epic or "",
        ", ".join(item.labels),
        format_dependencies(item.dependencies),
    ]


def to_csv(items: Sequence[BacklogItem]) -> str:
    """The items as CSV; no cell can run as a formula in a spreadsheet (see `neutralised`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    writer.writerows([neutralised(cell) for cell in _export_row(item)] for item in items)
    return out.getvalue()


def to_markdown(items: Sequence[BacklogItem], channel_name: str) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "<br>")

    lines = [
        f"# Product backlog of #{channel_name}",
        "",
        "| Pos | Key | Title | Type | Points | Status | Owner |",
        "|---:|---|---|---|---:|---|---|",
    ]
    for position, item in enumerate(items, start=1):
        row = _export_row(item)
        lines.append(
            f"| {position} | {row[0]} | {cell(item.title)} | {row[5]} | {row[4]} | {row[7]} "
            f"| {row[8]} |"
        )
    for item in items:
        lines += ["", f"## #{item.number} {item.title}"]
        if item.hypothesis:
            lines += ["", item.hypothesis]
        if item.acceptance_criteria:
            lines += ["", "Acceptance criteria:", *(f"- {c}" for c in item.acceptance_criteria)]
        if item.dependencies:
            lines += [
                "",
                "Dependencies:",
                *(f"- [{'x' if d['resolved'] else ' '}] {d['text']}" for d in item.dependencies),
            ]
    return "\n".join(lines) + "\n"
