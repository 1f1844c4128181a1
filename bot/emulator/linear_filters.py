"""Linear's filters, order and paging where they need no workspace: one comparator of a filter
(``comparator_matches``: ``eq``, ``in``, ``gte``, ``null``, the case-insensitive ones; dates given
as ISO 8601 times, ``parse_when``), the order of an issue list (``ordered_issues``: ``sort`` or
``orderBy``, ties by id) and cursor paging (``paged_connection``: ``first``/``last``,
``after``/``before``, 50 by default). Reading a whole filter against the workspace's records is
``LinearViews._matches`` (linear_views.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.emulator.linear_errors import invalid_input
from bot.emulator.linear_records import LinearIssue

DEFAULT_PAGE = 50


def parse_when(value: Any) -> float:
    """A ``DateTimeOrDuration`` as epoch milliseconds (ISO 8601 times only)."""
    if not isinstance(value, str):
        raise invalid_input(f"Invalid date: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input(f"Invalid date: {value}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp() * 1000


def comparator_matches(spec: Mapping[str, Any], value: Any, *, dates: bool = False) -> bool:
    """One comparator (``{eq: …}``, ``{in: […]}``, ``{gte: …}``, ``{null: true}``)."""
    for op, wanted in spec.items():
        if op == "null":
            if (value is None) != bool(wanted):
                return False
            continue
        if wanted is None:
            continue
        if dates:
            wanted = (
                [parse_when(w) for w in wanted]
                if isinstance(wanted, list)
                else (parse_when(wanted))
            )
        if op in ("eqIgnoreCase", "neqIgnoreCase", "containsIgnoreCase"):
            text, other = str(value or "").lower(), str(wanted).lower()
            ok = {
                "eqIgnoreCase": text == other,
                "neqIgnoreCase": text != other,
                "containsIgnoreCase": other in text,
            }[op]
        elif op == "eq":
            ok = value == wanted
        elif op == "neq":
            ok = value != wanted
        elif op == "in":
            ok = value in wanted
        elif op == "nin":
            ok = value not in wanted
        elif value is None:
            ok = False
        else:
            ok = {
                "gt": value > wanted,
                "gte": value >= wanted,
                "lt": value < wanted,
                "lte": value <= wanted,
            }[op]
        if not ok:
            return False
    return True


def ordered_issues(issues: list[LinearIssue], args: Mapping[str, Any]) -> list[LinearIssue]:
    """``sort`` (manual, updatedAt, createdAt, priority), else ``orderBy`` (createdAt by
    default), newest first as Linear lists them; ties by id."""
    keys: list[tuple[Callable[[LinearIssue], Any], bool]] = []
    for entry in args.get("sort") or []:
        for name, options in entry.items():
            if options is None:
                continue
            descending = (options.get("order") or "Ascending") == "Descending"
            get = {
                "manual": lambda i: i.sort_order,
                "updatedAt": lambda i: i.updated,
                "createdAt": lambda i: i.created,
                "priority": lambda i: (i.priority or 5, i.priority_sort_order),
            }[name]
            keys.append((get, descending))
    if not keys:
        field_name = args.get("orderBy") or "createdAt"
        get = (lambda i: i.updated) if field_name == "updatedAt" else (lambda i: i.created)
        keys.append((get, True))
    ordered = sorted(issues, key=lambda i: i.id)
    for get, descending in reversed(keys):
        ordered.sort(key=get, reverse=descending)
    return ordered


def paged_connection(
    items: list[Any],
    args: Mapping[str, Any],
    view: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Cursor paging over ``items`` (already filtered and ordered); a cursor is an id."""
    ids = [item.id for item in items]
    start, end = 0, len(items)
    after, before = args.get("after"), args.get("before")
    if after:
        if after not in ids:
            raise invalid_input(f"Cursor not found: {after}")
        start = ids.index(after) + 1
    if before:
        if before not in ids:
            raise invalid_input(f"Cursor not found: {before}")
        end = ids.index(before)
    first, last = args.get("first"), args.get("last")
    window = items[start:end]
    if first is not None:
        window = window[: max(0, first)]
    elif last is not None:
        window = window[max(0, len(window) - last) :]
    else:
        window = window[:DEFAULT_PAGE]
    shown = [view(item) for item in window]
    first_index = start + (items[start:end].index(window[0]) if window else 0)
    last_index = first_index + len(window)
    return {
        "nodes": shown,
        "pageInfo": {
            "startCursor": window[0].id if window else None,
            "endCursor": window[-1].id if window else None,
            "hasPreviousPage": first_index > 0,
            "hasNextPage": last_index < len(items),
        },
    }
