"""Backlog import from CSV (with Jira's export column names) and export to CSV or Markdown.

Jira writes custom fields as `Custom field (Story Points)`; both spellings are understood. The
export uses the same names, so an exported file imports again unchanged. Exported cells that a
spreadsheet would run as a formula are neutralised (bot/domain/csv_cells.py), and the import
takes that quote off again, so the round trip is exact.

Files come as spreadsheets write them: separated by commas, semicolons (Excel where the comma
is the decimal mark) or tabs (cells copied from a spreadsheet, Excel's "Unicode text"); in UTF-8,
UTF-16 with its byte order mark, or Windows-1252 (`decode`). A title comes in once: a row with
the title of an earlier row, or of an open item, is refused, so sharing a file again adds
nothing twice.

Plain functions: reading a file gives the rows to add (`parse_csv`, `read_shared`); adding them
is the use case's (bot/usecases/backlog.py).
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.domain.backlog import (
    EPIC_MAX,
    ITEM_TYPES,
    PRIORITY_MAX,
    ItemFields,
    clean_title,
    find_cycle,
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
    "key": ("issue key", "key"),
}
BLOCKS = ("inward issue link (blocks)", "outward issue link (blocks)")
"""Jira's columns of its "Blocks" links, as many of each as an issue has links: on a row, the
inward ones name the issues that block it ("is blocked by"), the outward ones those it blocks."""
KNOWN = {alias for aliases in COLUMNS.values() for alias in aliases}
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
NOT_ITEMS = {"epic": "Epic", "sub-task": "Sub-task", "subtask": "Sub-task", "sub task": "Sub-task"}
"""Jira issue types that are no backlog item, which a Jira export holds beside its stories: an
import skips their rows, counted in its report, rather than refusing each (an epic's name comes
in as its items' Epic; a sub-task is a sprint task, `/sprint task`)."""
BACKLOG_ONLY = {
    "story points",
    "story point estimate",
    "acceptance criteria",
    "acceptance criterion",
    "issue type",
    "issue key",
    "issue id",
    "epic link",
    "epic name",
    "sprint",
    "value hypothesis",
    "depends on",
}
"""Header names no spreadsheet but a backlog has: a shared file naming one of them, but no
title column, was meant for the backlog, and its sharer is told what is missing."""
TITLE_BY_ITSELF = "summary"
"""Jira's name of the title column, which no other spreadsheet uses for its first column of
text: a shared file naming it is a backlog by itself. "Title" and "Name" are everyday headers
(an address book's Title and Name, a reading list's Title) and need a backlog column beside
them (`BESIDE_TITLE`), except "Title" as a file's only column: a list of titles."""
BESIDE_TITLE = (
    KNOWN - set(COLUMNS["title"])
    | BACKLOG_ONLY
    | {"status", "key", "assignee", "assignees", "tags", "section/column"}
)
"""Columns of a backlog beside its title: those Timebox reads, and those trackers' exports
write (a Notion or GitHub board's Status, Asana's Assignee and Tags, Jira's Issue id)."""
DELIMITERS = (",", ";", "\t")
HEADER_SCAN = 65_536
"""How much of a file the separator is looked for in: its header line, whatever its length."""
MAX_ROWS = 5000
MAX_FILE_BYTES = 2_000_000
"""A shared CSV file larger than this is not downloaded; the sharer is told the limit."""


class NotABacklog(UserError):
    """A shared .csv file that is not read, though it seems meant for the backlog: not text,
    empty, its header unreadable or naming backlog columns but no title. The sharer is
    answered in the file's thread with what to do instead."""


@dataclass(frozen=True)
class Unlinked:
    """A link between issues of an imported file that links no two items: item `number`
    (issue `key`, if its row named one) is blocked by (`blocked`), or blocks, issue `other`.
    `why`: "absent" (`other` is not in the file), "row" (its row, `row`, did not come in) or
    "cycle" (`other` waits for `key` already: neither could ever start). A blocked item keeps
    it as text, open; one that blocks has nothing to hold it."""

    number: int
    key: str | None
    other: str
    blocked: bool
    why: str
    row: int | None = None


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, reason)
    skipped: dict[str, int] = field(default_factory=dict)  # NOT_ITEMS' type: rows of it
    added: dict[int, int] = field(default_factory=dict)  # spreadsheet row: the item it became
    unlinked: list[Unlinked] = field(default_factory=list)
    """The file's links that could not be made, for the report to say why."""


@dataclass
class ImportedLinks:
    """What an import's links make: each item that gained a dependency, with all of its
    dependencies, and the links that could not be made."""

    dependencies: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    unlinked: list[Unlinked] = field(default_factory=list)


@dataclass
class ParsedCsv:
    """A file read: the rows to add, in file order, and the rows refused with their reasons;
    rows are numbered as a spreadsheet shows them (the header is row 1)."""

    rows: list[tuple[int, ItemFields]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    """The rows of NOT_ITEMS' types, counted by type (`Epic`, `Sub-task`)."""
    keys: dict[int, str] = field(default_factory=dict)
    """Each row's Jira issue key, when the file names them."""
    key_rows: dict[str, int] = field(default_factory=dict)
    """Each issue key of the file's rows (refused and skipped ones too), with its row: a link
    to one that did not come in says which row."""
    blocks: list[tuple[str, str]] = field(default_factory=list)
    """Jira's "Blocks" links the rows name, (blocker's key, blocked one's key), in file order."""


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


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    """The row's cell of our field `name` ("" when the file has no such column)."""
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    text = restored(row[index])
    # A quoted cell is exactly what was exported; other cells lose stray spaces.
    return text if text != row[index] else text.strip()


def _row_fields(
    row: list[str], columns: dict[str, int], labelled: Sequence[int] = ()
) -> ItemFields:
    """The row's item; `labelled`: every `Labels` column of the file (Jira repeats it, one
    label a column), the first one else."""

    def cell(name: str) -> str:
        return _cell(row, columns, name)

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
        labels=_labels(row, columns, labelled),
        priority=cell("priority")[:PRIORITY_MAX] or None,
    )
    problem = too_long_for_form(fields)
    if problem:
        raise UserError(problem)
    return fields


def _labels(row: list[str], columns: dict[str, int], labelled: Sequence[int]) -> list[str]:
    """The row's labels from each of its `Labels` cells: a cell with a comma is Timebox's own
    export (`needs design, ux`: a label may have spaces), one without Jira's, its labels
    separated by spaces (`billing pdf`)."""
    if not labelled and "labels" in columns:
        labelled = [columns["labels"]]
    found: list[str] = []
    for index in labelled:
        text = _cell(row, {"labels": index}, "labels")
        found += parse_labels(text if "," in text else text.replace(" ", ","))
    return list(dict.fromkeys(found))


def looks_like_backlog(text: str) -> bool:
    """True when the first line says the file is a backlog: Jira's `Summary`, `Title` as its
    only column, or a title column beside a backlog column (`BESIDE_TITLE`). A contact list's
    `Name,Phone` is no backlog. Only for files shared in the channel: `/backlog import` asks
    for an import, and any title column will do there (`parse_csv`)."""
    try:
        headers = next(_rows(text), None)
    except csv.Error:
        return False
    title = _column_map(headers or []).get("title")
    if headers is None or title is None:
        return False
    names = [_normalise(header) for header in headers]
    return (
        names[title] == TITLE_BY_ITSELF
        or [name for name in names if name] == ["title"]
        or any(name in BESIDE_TITLE for name in names)
    )


def decode(data: bytes) -> str:
    """A shared file's text, in the encodings spreadsheets write: UTF-16 behind its byte order
    mark (Excel's "Unicode text"), UTF-8 (with Excel's mark or without), else Windows-1252
    (Excel's plain "CSV" on Windows, western locales), where every byte but five is a
    character. A file with NUL characters is no text file (NotABacklog).

    Plain byte scans and one decode: about 1 ms for a 2 MB file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise NotABacklog(
            "it is not a text file (an Excel workbook saved under a .csv name?). In Excel, "
            "choose *File › Save As › CSV UTF-8 (Comma delimited)* and share that file."
        )
    return text


def read_shared(data: bytes) -> ParsedCsv | None:
    """A .csv file shared in the channel: its rows; None for someone's spreadsheet that is not
    a backlog (readable, its header not a backlog's: `looks_like_backlog`, no column only a
    backlog has), which is left alone;
    NotABacklog, saying what to do, for a file meant for the backlog that cannot be taken.

    Pure and CPU-bound: callers run it off the event loop."""
    text = decode(data)
    if not looks_like_backlog(text) and not _meant_for_backlog(text):
        return None
    try:
        return parse_csv(text)
    except UserError as error:
        raise NotABacklog(error.message) from None


def _meant_for_backlog(text: str) -> bool:
    """A file no title column was found in that its sharer still meant for the backlog: empty,
    its first line unreadable, or naming a column only a backlog has."""
    try:
        headers = next(_rows(text), None)
    except csv.Error:
        return True
    return not any(cell.strip() for cell in headers or []) or any(
        _normalise(header) in BACKLOG_ONLY for header in headers or []
    )


def _rows(text: str) -> Iterator[list[str]]:
    """CSV rows, separated as the header line is (`_dialect`)."""
    body, delimiter = _dialect(text)
    return _reader(body, delimiter)


def _reader(body: str, delimiter: str) -> Iterator[list[str]]:
    """newline="" lets the csv module see a lone CR (old Mac files) as a line end."""
    return csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)


def _dialect(text: str) -> tuple[str, str]:
    """The text without its byte order mark and its separator: the one Excel's `sep=;` line
    above the header names (that line is no row), else the header line's (`_delimiter`)."""
    text = text.lstrip("\ufeff")
    sep = re.match(r"sep=([,;\t|])[ \t]*(\r\n|\r|\n)", text)
    if sep:
        return text[sep.end() :], sep.group(1)
    return text, _delimiter(text)


def _unclosed_quote(body: str, delimiter: str) -> int | None:
    """Where a quoted cell that is never closed starts (the offset of its line), or None.

    The csv module reads such a cell to the end of the file, every row after it taken into
    it: one row imported with the rest as its title. A cell is quoted when its first
    character is a quote (at a line's start or after a separator); inside it, a doubled
    quote is a quote. A quote inside an unquoted cell (`5" screen`) opens nothing."""
    sep = re.escape(delimiter)
    cells = re.compile(rf'(?:^|(?<=[{sep}\r\n]))"(?:[^"]|"")*+(?P<end>"?)', re.MULTILINE)
    last = None
    for cell in cells.finditer(body):
        last = cell
    if last is None or last["end"] or last.end() != len(body):
        return None
    return body.rfind("\n", 0, last.start()) + 1


def _delimiter(text: str) -> str:
    """The separator of the header line: the one that splits it into the most columns Timebox
    knows, then into the most columns, the comma first of equals. A header of one column has
    no separator to find: its rows are read whole, by the candidate they hold least (so a
    pasted list of titles keeps the commas in them).

    The header alone decides: the rows hold free text (commas in a semicolon file's titles),
    which is what makes csv.Sniffer guess wrong, and Sniffer also finds no separator at all in
    a one-column file and guesses quoting rules (`doublequote`) from rows that may not show
    them."""

    head = text[:HEADER_SCAN]

    def split(delimiter: str) -> tuple[int, int]:
        try:
            headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
        except csv.Error:
            return (-1, 0)
        names = [_normalise(header) for header in headers]
        known = sum(name in KNOWN or name in BACKLOG_ONLY for name in names)
        return (known, len(headers))

    scores = {delimiter: split(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=scores.__getitem__)  # the first of equals: the comma
    return best if scores[best][1] > 1 else min(DELIMITERS, key=text.count)


def title_key(title: str) -> str:
    """What makes two titles one item's: the same words, whatever their case and spacing."""
    return " ".join(title.split()).casefold()


class Titled(Protocol):
    """An item as far as its title is taken: a whole BacklogItem, or storage's row of it."""

    number: int
    title: str
    status: str
    archived_at: datetime | None


def open_titles(items: Iterable[Titled]) -> dict[str, str]:
    """The titles (`title_key`) of the open items among `items`, each with why a row of that
    title is refused. A done or archived item does not count: its work is over or was dropped,
    and a file naming it again asks for it anew (a recurring chore, a dropped idea taken up
    again); `/backlog restore` is there for the item itself."""
    return {
        title_key(item.title): (
            f"already {'in the sprint' if item.status == 'sprint' else 'on the backlog'} "
            f"as #{item.number}"
        )
        for item in items
        if item.archived_at is None and item.status != "done"
    }


def refuse_taken(
    rows: Sequence[tuple[int, ItemFields]], taken: Mapping[str, str]
) -> tuple[list[tuple[int, ItemFields]], list[tuple[int, str]]]:
    """The rows whose title is not `taken` (see `open_titles`), and the others refused."""
    fresh: list[tuple[int, ItemFields]] = []
    refused: list[tuple[int, str]] = []
    for line, fields in rows:
        reason = taken.get(title_key(fields.title))
        if reason is None:
            fresh.append((line, fields))
        else:
            refused.append((line, reason))
    return fresh, refused


def parse_csv(text: str) -> ParsedCsv:
    """The rows of a backlog CSV to add, and those refused with the reason (a title an earlier
    row has among them); a file that is not a backlog at all (no header, no title column) is
    refused whole (UserError).

    Pure and CPU-bound on a big file: callers run it off the event loop."""
    body, delimiter = _dialect(text)
    unclosed = _unclosed_quote(body, delimiter)
    reader = _reader(body if unclosed is None else body[:unclosed], delimiter)
    try:
        headers = next(reader, None)
    except csv.Error as error:
        raise UserError(
            f"The CSV's first line cannot be read: {error}. Save the file again from the "
            "spreadsheet as CSV, or paste its rows with `/backlog import`."
        ) from None
    if not headers:
        what = "first line is empty" if text.strip() else "is empty"
        raise UserError(
            f"The CSV {what}. Its first line must name the columns, e.g. `Summary,Story Points`."
        )
    columns = _column_map(headers)
    if "title" not in columns:
        named = ", ".join(header.strip()[:40] for header in headers[:8] if header.strip())
        raise UserError(
            "The CSV has no `Summary` or `Title` column"
            + (f" (its first line names {named})" if named else "")
            + ". Name the column of the items' titles `Summary`; the others Timebox reads: "
            "Description, Acceptance Criteria, Story Points, Issue Type, Priority, Labels, "
            "Epic, Dependencies."
        )
    parsed = ParsedCsv()
    report = ImportReport(refused=parsed.refused)
    first_row: dict[str, int] = {}
    epics: dict[str, str] = {}  # an epic's key: its name
    names = [_normalise(header) for header in headers]
    inward, outward = ([i for i, name in enumerate(names) if name == side] for side in BLOCKS)
    labelled = [i for i, name in enumerate(names) if name in COLUMNS["labels"]]
    opened = None if unclosed is None else body.count("\n", 0, unclosed) + 1
    for line, row in enumerate(_readable(reader, report, opened), start=2):
        if not any(cell.strip() for cell in row):
            continue
        if key := _cell(row, columns, "key"):
            parsed.key_rows.setdefault(key, line)
        kind = NOT_ITEMS.get(_cell(row, columns, "type").lower())
        if kind is not None:
            parsed.skipped[kind] = parsed.skipped.get(kind, 0) + 1
            if kind == "Epic" and _cell(row, columns, "key"):
                epics[_cell(row, columns, "key")] = _cell(row, columns, "title")
            continue
        if len(parsed.rows) >= MAX_ROWS:
            parsed.refused.append((line, f"more than {MAX_ROWS} rows in one import"))
            continue
        try:
            fields = _row_fields(row, columns, labelled)
        except UserError as error:
            parsed.refused.append((line, error.message))
            continue
        earlier = first_row.setdefault(title_key(fields.title), line)
        if earlier != line:
            parsed.refused.append((line, f"same title as row {earlier}"))
        else:
            parsed.rows.append((line, fields))
            _note_links(parsed, line, row, _cell(row, columns, "key"), (inward, outward))
    if not (parsed.rows or parsed.refused or parsed.skipped):
        raise UserError(
            "The CSV has its first line, naming the columns, but no rows under it: nothing to "
            "import. Put one item a line below it, e.g. `Export invoices,3` under "
            "`Summary,Story Points`."
        )
    for _, fields in parsed.rows:  # Jira's Epic Link names the epic by its key
        fields.epic = epics.get(fields.epic or "", fields.epic or "")[:EPIC_MAX] or None
    return parsed


def _note_links(
    parsed: ParsedCsv, line: int, row: list[str], key: str, sides: tuple[list[int], list[int]]
) -> None:
    """The row's issue key, and the "Blocks" links its inward and outward columns name."""
    if not key:
        return
    parsed.keys[line] = key
    inward, outward = (
        [row[i].strip() for i in side if i < len(row) and row[i].strip()] for side in sides
    )
    parsed.blocks += [(other, key) for other in inward] + [(key, other) for other in outward]


def link_imports(parsed: ParsedCsv, added: Mapping[int, int]) -> ImportedLinks:
    """The dependencies of the items an import added (`added`: spreadsheet row to item number)
    that name others it added: each Jira "Blocks" link, and each Dependencies line that is just
    an issue key, becomes a link to the item that issue became (`#12 DEMO-2`), as
    `link_dependencies` saves one. A blocker that did not come in stays text naming its key; a
    link that would close a cycle stays text too (neither item could ever start). Only the
    items that gained a dependency, each with all of its dependencies; and each "Blocks" link
    of an item added that links no two items, with why (`Unlinked`)."""
    number_of = {key: added[line] for line, key in parsed.keys.items() if line in added}
    key_of = {number: key for key, number in number_of.items()}
    dependencies = {added[line]: list(f.dependencies) for line, f in parsed.rows if line in added}
    changed: set[int] = set()
    unlinked: list[Unlinked] = []
    for number, found in dependencies.items():  # a Dependencies line naming an issue key
        for index, dependency in enumerate(found):
            named = _named_key(str(dependency.get("text", "")), number_of)
            if named is not None and named[0] != number:
                found[index] = {"text": f"#{named[0]} {named[1]}".strip(), "item": named[0]}
                changed.add(number)
    for blocker, blocked in dict.fromkeys(parsed.blocks):
        number, other = number_of.get(blocked), number_of.get(blocker)
        if blocker == blocked:
            continue
        if number is None:
            if other is not None:  # nothing here waits for it
                unlinked.append(_missing(parsed, other, blocker, blocked, blocked=False))
            continue
        found = dependencies[number]
        if other is None:
            found.append({"text": blocker, "resolved": False})
            unlinked.append(_missing(parsed, number, blocked, blocker, blocked=True))
        else:
            found.append({"text": f"#{other} {blocker}", "item": other})
        changed.add(number)
    graph: dict[int, list[int]] = {}
    for number in sorted(changed):
        for dependency in dependencies[number]:
            other = dependency.get("item")
            if other is None:
                continue
            graph.setdefault(number, []).append(other)
            if find_cycle(number, graph) is not None:
                graph[number].pop()
                del dependency["item"]
                dependency["text"] = _as_note(key_of[other])
                cycle = Unlinked(number, key_of.get(number), key_of[other], True, "cycle")
                unlinked.append(cycle)
            dependency["resolved"] = False
    linked = {number: _unique(dependencies[number]) for number in sorted(changed)}
    return ImportedLinks(
        linked, sorted(set(unlinked), key=lambda u: (u.number, u.other, not u.blocked))
    )


def _named_key(text: str, number_of: Mapping[str, int]) -> tuple[int, str] | None:
    """The item an imported Dependencies line names by a key of the file, and the rest of its
    text: a line that is a key (`DEMO-2`, kept as the text), or Timebox's own export's `#14
    API contract` (its Key column), whose #14 is the exporting backlog's number, not this one's:
    the link's text names the item it became here (`#31 API contract`)."""
    text = text.strip()
    if text in number_of:
        return number_of[text], "" if text.startswith("#") else text
    first, _, rest = text.partition(" ")
    if first.startswith("#") and first in number_of:
        return number_of[first], rest.strip()
    return None


def _as_note(key: str) -> str:
    """A link an import could not make, as the text it stays: a `#14` of another backlog's
    export reads as a link to this backlog's #14 when saved, so it is named without the #."""
    return f"item {key[1:]} of the imported file" if key.startswith("#") else key


def _missing(parsed: ParsedCsv, number: int, key: str, other: str, *, blocked: bool) -> Unlinked:
    """A link of item `number` (issue `key`) to issue `other`, which did not come in."""
    row = parsed.key_rows.get(other)
    return Unlinked(number, key, other, blocked, "absent" if row is None else "row", row)


def _unique(dependencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each dependency once (a link is named on both its issues' rows)."""
    seen: dict[str, dict[str, Any]] = {}
    for dependency in dependencies:
        seen.setdefault(str(dependency["text"]), dependency)
    return list(seen.values())


def _readable(
    reader: Iterator[list[str]], report: ImportReport, unclosed: int | None = None
) -> Iterator[list[str]]:
    """The rows up to one the csv module cannot read (a field over its size limit, say), which
    is refused with the rest of the file: nothing after it can be trusted to line up. The
    reader ends before a quoted cell never closed (`_unclosed_quote`, on line `unclosed`):
    its row is refused the same way."""
    line = 1
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            if unclosed is not None:
                report.refused.append(
                    (
                        line,
                        f'a quote (") opened on line {unclosed} is never closed, so this row '
                        "and the rest cannot be read: close it, or write a quote inside a "
                        'quoted cell twice ("")',
                    )
                )
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


def _export_row(item: BacklogItem, names: Mapping[str, str]) -> list[str]:
    """An item's cells; its owner by name (`names`: Slack ids to names, which a file needs:
    it leaves Slack), else by id."""
    return [
        f"#{item.number}",
        item.title,
        item.hypothesis,
        "\n".join(item.acceptance_criteria),
        points(item.estimate) if item.estimate is not None else "",
        ITEM_TYPES[item.type],
        item.priority or "",
        status_of(item),
        names.get(item.owner, item.owner) if item.owner else "",
        item.epic or "",
        ", ".join(item.labels),
        format_dependencies(item.dependencies),
    ]


EXCEL_UTF8 = "\ufeff"
"""What a CSV file starts with for Excel to read it as UTF-8 (a byte-order mark): without it,
Excel on Windows shows Zoë as ZoÃ«. Spreadsheets and Timebox's import skip it."""


def to_csv(items: Sequence[BacklogItem], names: Mapping[str, str] | None = None) -> str:
    """The items as CSV; no cell can run as a formula in a spreadsheet (see `neutralised`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    rows = ([neutralised(cell) for cell in _export_row(item, names or {})] for item in items)
    writer.writerows(rows)
    return out.getvalue()


def markdown_text(text: str) -> str:
    """Anyone's text in a Markdown file, which a viewer may render as HTML: `<b>`, `<!channel>`
    and `&` read as typed, never as markup; nor do `[text](url)` and `![alt](url)` make a link
    or an image the viewer would fetch, nor `*`, `_`, `~` or a backtick emphasis or code, nor
    `|` a table (each escaped with a backslash; so is the backslash, else a typed `\\[` would
    undo it). Each of its lines (a hypothesis has several) is shown as typed whatever it starts
    with: no `===` or `---` under a line makes it a heading, no `1.` or `+` a list, no
    indentation a code block (`_line_start`)."""
    escaped = html.escape(text, quote=False).translate(_MARKDOWN_PUNCTUATION)
    lines = escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_line_start(line) for line in lines)


_MARKDOWN_PUNCTUATION = str.maketrans({c: "\\" + c for c in "\\[]*_`#|~"})
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def _line_start(line: str) -> str:
    """A line of someone's text that starts no block of Markdown: its indentation (a code
    block) taken off, and a first `=`, `-` or `+` (a heading's underline, a rule, a list) or a
    list number's `.` or `)` escaped."""
    line = line.lstrip(" \t")
    if line.startswith(("=", "-", "+")):
        return "\\" + line
    return _LIST_NUMBER.sub(r"\1\\\2", line)


def markdown_cell(text: str) -> str:
    """Anyone's text in a Markdown table cell: escaped (a `|` too, so it stays inside its
    cell), and its lines as `<br>` (a table row is one line)."""
    return markdown_text(text).replace("\n", "<br>")


def to_markdown(
    items: Sequence[BacklogItem], channel_name: str, names: Mapping[str, str] | None = None
) -> str:
    """The backlog as a Markdown file, every text of anyone's escaped (`markdown_text`)."""
    cell, text = markdown_cell, markdown_text
    lines = [
        f"# Product backlog of #{text(channel_name)}",
        "",
        "| Pos | Key | Title | Type | Points | Status | Owner |",
        "|---:|---|---|---|---:|---|---|",
    ]
    for position, item in enumerate(items, start=1):
        row = _export_row(item, names or {})
        lines.append(
            f"| {position} | {row[0]} | {cell(item.title)} | {row[5]} | {row[4]} | {row[7]} "
            f"| {cell(row[8])} |"
        )
    for item in items:
        lines += ["", f"## #{item.number} {text(item.title)}"]
        if item.hypothesis:
            lines += ["", text(item.hypothesis)]
        if item.acceptance_criteria:
            criteria = (f"- {text(c)}" for c in item.acceptance_criteria)
            lines += ["", "Acceptance criteria:", *criteria]
        if item.dependencies:
            lines += [
                "",
                "Dependencies:",
                *(
                    f"- [{'x' if d['resolved'] else ' '}] {text(d['text'])}"
                    for d in item.dependencies
                ),
            ]
    return "\n".join(lines) + "\n"
