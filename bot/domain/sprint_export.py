"""A sprint as a file: Markdown for people (goal, numbers, items, tasks, renegotiations) and CSV
for spreadsheets (one row per task, and one per item without tasks).

Owners are Slack user ids unless `names` maps them to display names: a file is not Slack
markup, so `<@U123>` would not turn into a name there. No CSV cell can run as a formula in a
spreadsheet (bot/domain/csv_cells.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, tzinfo

from bot.domain.backlog_csv import markdown_cell, markdown_text
from bot.domain.csv_cells import neutralised
from bot.domain.readiness import points
from bot.domain.sprints import committed_by
from bot.domain.tasks import hours_left, left
from storage.models import ScopeChange, Sprint, SprintItem

CSV_HEADERS = [
    "Sprint",
    "Goal",
    "Item",
    "Title",
    "Points",
    "Item status",
    "Item owner",
    "Task",
    "Hours",
    "Task owner",
    "Task done",
]


def item_status(sprint: Sprint, sprint_item: SprintItem) -> str:
    """Where an item of the sprint backlog stands: done, removed, in progress, to do, or (once
    the sprint is closed) not done."""
    if sprint_item.done_at is not None:
        return "done"
    if sprint_item.removed:
        return "removed"
    if sprint.status == "closed":
        return "not done"
    if any(task.done or left(task) < task.hours for task in sprint_item.tasks):
        return "in progress"
    return "to do"


def people(
    sprint: Sprint, items: Sequence[SprintItem], changes: Sequence[ScopeChange] = ()
) -> set[str]:
    """Everyone a sprint's file names: who committed, or recorded the commitment, owners of
    items and tasks, who changed the scope (their names are looked up for the file)."""
    found = set(sprint.committed_by or ()) | {sprint.commitment_recorded_by}
    for si in items:
        found |= {si.item.owner} | {task.owner for task in si.tasks}
    found |= {change.actor for change in changes}
    return {user for user in found if user}


def _hours(value: float) -> str:
    return f"{points(value)}h"


def _points(value: float | None) -> str:
    return points(value) if value is not None else ""


def _points_text(value: float) -> str:
    return f"{points(value)} point{'s' if value != 1 else ''}"


def _estimate(
    estimates: Mapping[int, float | None] | None,
) -> Callable[[SprintItem], float | None]:
    """An item's points in the file: as its closed sprint counted them (`estimates`, by item
    id: a re-estimate since is the backlog's, not the sprint's), else today's."""
    if estimates is None:
        return lambda si: si.item.estimate
    return lambda si: estimates.get(si.item_id, si.item.estimate)


def _namer(names: Mapping[str, str] | None) -> Mapping[str, str]:
    return names or {}


# -- Markdown ------------------------------------------------------------------------------------


def _dates(sprint: Sprint, last_day: date | None) -> str:
    """The Markdown record's dates line: first to last working day, and the slot's end."""
    if last_day is None or last_day == sprint.ends_on:
        return f"- Dates: {sprint.starts_on.isoformat()} to {sprint.ends_on.isoformat()}"
    return (
        f"- Dates: {sprint.starts_on.isoformat()} to {last_day.isoformat()} (its last working "
        f"day; its slot in the calendar runs to {sprint.ends_on.isoformat()})"
    )


def sprint_markdown(
    sprint: Sprint,
    items: Sequence[SprintItem],
    changes: Sequence[ScopeChange],
    *,
    names: Mapping[str, str] | None = None,
    last_day: date | None = None,
    zone: tzinfo = UTC,
    estimates: Mapping[int, float | None] | None = None,
) -> str:
    """The sprint record: goal, dates, committed and completed points, each item with its
    status, owner and tasks (hours, owner, done), and the log of scope changes.

    `last_day`: the sprint's last working day (``sprints.last_day``), where it ends as the
    channel and the tracker's sprint say; the last day of its slot in the calendar (a Sunday)
    follows when it differs. Without it, the slot's dates. Scope changes are dated in the
    team's time `zone` (calendar.zone), named once in their table's header, as Slack shows
    times: in UTC a change early on the first day would seem to come before the sprint.
    `estimates`: a closed sprint's items' points as it closed with them (``_estimate``)."""
    known = _namer(names)
    estimate = _estimate(estimates)
    cell, text = markdown_cell, markdown_text  # anyone's text, escaped: the file may render

    def who(user: str | None, nobody: str = "—") -> str:
        return known.get(user, user) if user else nobody

    lines = [f"# Sprint {sprint.number}", ""]
    lines.append(f"- Goal: {text(sprint.goal) if sprint.goal else '(none yet)'}")
    if sprint.one_thing:
        lines.append(f"- The one thing: {text(sprint.one_thing)}")
    lines.append(_dates(sprint, last_day))
    lines.append(f"- Status: {sprint.status}")
    committed = sprint.committed_points
    lines.append(f"- Committed: {_points_text(committed) if committed is not None else 'not yet'}")
    if sprint.completed_points is not None:
        lines.append(f"- Completed: {_points_text(sprint.completed_points)}")
    elif sprint.status == "active":
        done = sum(estimate(si) or 0.0 for si in items if si.done_at is not None)
        lines.append(f"- Completed: {_points_text(done)} so far")
    lines += _committers(sprint, who)
    if sprint.review_answer:
        lines.append(f"- Review: {text(sprint.review_answer)}")

    item_rows = [
        f"| #{si.item.number} | {cell(si.item.title)} | {_points(estimate(si))} "
        f"| {item_status(sprint, si)} | {cell(who(si.item.owner))} "
        f"| {'yes' if si.supports_goal else 'no'} "
        f"| {sum(task.done for task in si.tasks)}/{len(si.tasks)} |"
        for si in items
    ]
    lines += _table("Items", "No items in this sprint.", _ITEM_COLUMNS, item_rows)
    for si in items:
        lines += ["", f"### #{si.item.number} {text(si.item.title)}", ""]
        if si.override_reason:
            lines += [f"Taken although not ready: {text(si.override_reason)}", ""]
        if not si.tasks:
            lines.append("No tasks.")
            continue
        hours = sum(task.hours for task in si.tasks)
        to_go = hours_left(si.tasks)
        lines.append(f"Tasks: {_hours(hours)}, {_hours(to_go)} left")
        lines.append("")
        lines += [
            f"- [{'x' if task.done else ' '}] {text(task.title)}, {_hours(task.hours)}, "
            f"{text(who(task.owner, 'unassigned'))}"
            for task in si.tasks
        ]

    change_rows = [
        f"| {change.at.astimezone(zone):%Y-%m-%d %H:%M} | {change.action} | #{change.item_number} "
        f"| {_points(change.points)} | {cell(who(change.actor))} | {cell(change.reason)} |"
        for change in changes
    ]
    columns = (_CHANGE_COLUMNS[0].replace("When", f"When ({zone})"), _CHANGE_COLUMNS[1])
    lines += _table("Scope changes", "No scope changes.", columns, change_rows)
    return "\n".join(lines) + "\n"


def _committers(sprint: Sprint, who: Callable[[str], str]) -> list[str]:
    """Who committed: the Developers who did themselves, by name; the Developers as a whole
    when a Scrum Master recorded their commitment, on a line of its own naming the recorder
    (who is no committer: the commitment is the Developers')."""
    by = committed_by(sprint)
    committed = ", ".join(who(u) for u in by.themselves)
    if not committed and by.recorded_by:
        committed = "the Developers"
    lines = [f"- Committed by: {markdown_text(committed)}"] if committed else []
    if by.recorded_by:
        recorder = markdown_text(who(by.recorded_by))
        lines.append(f"- Commitment recorded by: {recorder}, for {by.for_whom}")
    return lines


_ITEM_COLUMNS = (
    "| Item | Title | Points | Status | Owner | Supports the goal | Tasks done |",
    "|---|---|---:|---|---|---|---:|",
)
_CHANGE_COLUMNS = ("| When | Change | Item | Points | By | Reason |", "|---|---|---|---:|---|---|")


def _table(title: str, empty: str, columns: tuple[str, str], rows: list[str]) -> list[str]:
    """A section of the Markdown export: its heading, then its table (`columns`: the header
    and alignment lines), or `empty` when it has no rows."""
    return ["", f"## {title}", "", *((*columns, *rows) if rows else (empty,))]


# -- CSV -----------------------------------------------------------------------------------------


def sprint_csv(
    sprint: Sprint,
    items: Sequence[SprintItem],
    *,
    names: Mapping[str, str] | None = None,
    estimates: Mapping[int, float | None] | None = None,
) -> str:
    """One row per task, and one per item without tasks, with the sprint and item repeated;
    every cell neutralised (titles, the goal and names are anyone's text). `estimates` as for
    `sprint_markdown`."""
    known = _namer(names)
    estimate = _estimate(estimates)

    def who(user: str | None) -> str:
        return known.get(user, user) if user else ""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    rows: list[list[str]] = []
    for si in items:
        item_columns = [
            str(sprint.number),
            sprint.goal,
            f"#{si.item.number}",
            si.item.title,
            _points(estimate(si)),
            item_status(sprint, si),
            who(si.item.owner),
        ]
        if not si.tasks:
            rows.append([*item_columns, "", "", "", ""])
        for task in si.tasks:
            rows.append(
                [
                    *item_columns,
                    task.title,
                    points(task.hours),
                    who(task.owner),
                    "yes" if task.done else "no",
                ]
            )
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return out.getvalue()
