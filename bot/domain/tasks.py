"""A sprint item's tasks: the developers' plan for delivering it, in hours.

Each task has its planned hours, the hours left, an owner, and done. Its owner or any of the
team's developers changes them: by the tasks form (one line per task, `[x] Task 2h` for a done
one, `Task 6h, 4h left` for one under way), by `/sprint task <item> <n> ...` or by the buttons
of an item's task card. Every change of the hours left is kept (a `TaskProgress` row), so the
sprint burns down in hours as well as in points.

Plain rules on the mapped rows, as in bot/domain/sprints.py: the caller reads and writes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.domain.errors import NotAllowed, UserError
from bot.domain.readiness import points
from bot.domain.text_limits import TooLong, within
from storage.models import Sprint, SprintItem, SprintTask, TaskProgress

MAX_HOURS = 200
TASKS_MAX = 40  # on one item
TITLE_MAX = 200  # storage.models.SprintTask.title
HOURS_RANGE = f"A task takes from more than 0 to {MAX_HOURS} hours"
LEFT_RANGE = f"Hours left go from 0 (done) to {MAX_HOURS}"
_NUMBER = r"\d+(?:[.,]\d+)?"
_H = r"(?:h|hrs?|hours?)"
_MIN = r"(?:m|mins?|minutes?)"
_HOURS = rf"(?:{_NUMBER}\s*{_H}(?:\s*\d{{1,2}}\s*{_MIN}|\d{{1,2}})?|{_NUMBER}\s*{_MIN})"
"""A task's time: `2h`, `1.5 hours`, `30m`, `45 min`, `1h30`, `1h 15m`."""
_TIME = re.compile(rf"(?:(?P<h>{_NUMBER})\s*{_H})?\s*(?:(?P<m>{_NUMBER})\s*{_MIN}?)?", re.I)
TASK_LINE = re.compile(
    # a bullet is "- title" or "-[x] title", never "-title": a title may start with - or *
    r"^\s*(?:•\s*|[-*](?:\s+|(?=\[)))?(?:\[(?P<check>[ xX✓✔]?)\]\s*)?"
    rf"(?P<title>.+?)\s*[:,-]?\s+(?P<hours>{_HOURS})"
    rf"(?:\s*[,(]?\s*(?P<left>{_HOURS})\s+left\)?)?\s*$",
    re.IGNORECASE,
)
ME = "me"
"""A task edit's owner meaning the person who asks."""
NOT_YOURS = (
    "A task is changed by its owner or by one of the team's developers, and you are neither "
    "for this one."
)


def _hours(text: str) -> float:
    """The hours of a time TASK_LINE matched (`_HOURS`), to the hundredth: 20 minutes is
    0.33h, as the task then reads."""
    found = _TIME.fullmatch(text.strip())
    assert found is not None, text  # TASK_LINE matched it already
    hours, minutes = (float((found[g] or "0").replace(",", ".")) for g in ("h", "m"))
    return round(hours + minutes / 60, 2)


def parse_time(text: str) -> float | None:
    """A time typed on its own (`/sprint task … hours 3`): hours as a bare number, or any
    form a task line takes (`2h`, `30m`, `1h30`); None if it is none of them."""
    text = text.strip()
    if re.fullmatch(_NUMBER, text):
        return float(text.replace(",", "."))
    return _hours(text) if text and re.fullmatch(_HOURS, text, re.I) else None


def hours_text(value: float) -> str:
    return f"{points(value)}h"


def key(title: str) -> str:
    """Titles that name the same task: case and spacing aside."""
    return " ".join(title.split()).casefold()


# -- typed lines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskLine:
    """One line of the tasks form: `[x] Title 2h` (done) or `Title 6h, 4h left`."""

    title: str
    hours: float
    done: bool = False
    left: float | None = None


def parse_task_lines(text: str) -> list[TaskLine]:
    """Every line of the tasks form, or guidance naming the first line not understood (or
    whose hours are out of range, or whose title is too long: by its number)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = parse_task_line(raw)
        except TooLong as long:
            raise UserError(f"Line {number}: {long.message}") from None
        if line is None:
            raise UserError(
                "Give each task its time, like `Design DB query 2h` or `Review 30m`. "
                f"Not understood: “{raw.strip()}”."
            )
        lines.append(line)
    if len(lines) > TASKS_MAX:
        raise UserError(f"An item takes up to {TASKS_MAX} tasks: split the item instead.")
    return lines


def parse_task_line(raw: str) -> TaskLine | None:
    """`Design DB query 2h`, `- Write tests: 1.5 hours`, `[x] Review 30m`, `Pair 1h30`,
    `Build 6h, 4h left`; None for a line that is none of these. A line understood whose
    hours are out of range is answered with the range (as `change_task` answers a changed
    task's); one whose title is over TITLE_MAX is refused (TooLong), not cut."""
    match = TASK_LINE.match(raw)
    if match is None:
        return None
    hours = _hours(match["hours"])
    left = _hours(match["left"]) if match["left"] else None
    if not 0 < hours <= MAX_HOURS:
        raise UserError(f"{HOURS_RANGE}: “{raw.strip()}” is out of range.")
    if left is not None and left > MAX_HOURS:
        raise UserError(f"{LEFT_RANGE}: “{raw.strip()}” is out of range.")
    done = bool((match["check"] or "").strip()) or left == 0
    title = within(match["title"].strip(), TITLE_MAX, "A task's title")
    return TaskLine(title, hours, done, None if done else left)


def parse_tasks(text: str) -> list[tuple[str, float]]:
    """Lines like "Design DB query 2h" or "- Write tests: 1.5 hours" into (title, hours)."""
    return [(line.title, line.hours) for line in parse_task_lines(text)]


def line_of(task: SprintTask) -> str:
    """A task as the tasks form shows it: saving the form unchanged changes nothing."""
    if task.done:
        return f"[x] {task.title} {hours_text(task.hours)}"
    if left(task) != task.hours:
        return f"{task.title} {hours_text(task.hours)}, {hours_text(left(task))} left"
    return f"{task.title} {hours_text(task.hours)}"


# -- the state of a task -------------------------------------------------------------------------


def left(task: SprintTask) -> float:
    """Hours left on a task: none once it is done."""
    if task.done:
        return 0.0
    return task.hours if task.remaining is None else task.remaining


def hours_left(tasks: Iterable[SprintTask]) -> float:
    return sum(left(task) for task in tasks)


def planned(tasks: Iterable[SprintTask]) -> float:
    return sum(task.hours for task in tasks)


def done_count(tasks: Iterable[SprintTask]) -> int:
    return sum(1 for task in tasks if task.done)


def _set_line(task: SprintTask, line: TaskLine) -> None:
    """What the line says is the task's state: hours, done, and what is left (all of its
    hours unless the line says otherwise)."""
    task.title, task.hours, task.done = line.title, line.hours, line.done
    task.remaining = 0.0 if line.done else (line.hours if line.left is None else line.left)


def set_tasks(sprint_item: SprintItem, text: str) -> list[SprintTask]:
    """Sets an item's tasks to the form's lines (tasks change freely, before and after
    commitment). A line with the title of a task it had keeps that task, with its owner and
    history; returns the tasks that went."""
    lines = parse_task_lines(text)
    old = list(sprint_item.tasks)
    by_title: dict[str, list[SprintTask]] = {}
    for task in old:
        by_title.setdefault(key(task.title), []).append(task)
    kept: list[SprintTask] = []
    new: list[SprintTask] = []
    for line in lines:
        same = by_title.get(key(line.title))
        task = same.pop(0) if same else SprintTask(title=line.title, hours=line.hours, owner=None)
        _set_line(task, line)
        (kept if task in old else new).append(task)
    sprint_item.tasks = sorted(kept, key=old.index) + new
    return [task for task in old if task not in kept]


def add_task(sprint_item: SprintItem, text: str) -> SprintTask:
    """`/sprint task <item> add Write the docs 2h`: one more task."""
    line = parse_task_line(text)
    if line is None:
        raise UserError(
            f"Say the task and its time, like `Write the docs 2h` or `Review 30m`. Not: “{text}”."
        )
    if len(sprint_item.tasks) >= TASKS_MAX:
        raise UserError(f"An item takes up to {TASKS_MAX} tasks: split the item instead.")
    task = SprintTask(title=line.title, hours=line.hours, owner=None)
    _set_line(task, line)
    sprint_item.tasks.append(task)
    return task


# -- changing one task ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskEdit:
    """What `/sprint task <item> <n> ...` or a button changes on a task; None: unchanged."""

    owner: str | None = None  # a user id, ME, or "" for nobody
    hours: float | None = None
    left: float | None = None
    done: bool | None = None


def task_at(sprint_item: SprintItem, position: int) -> SprintTask:
    """Task `position` (from 1, as the item's task card numbers them)."""
    if not 1 <= position <= len(sprint_item.tasks):
        count, number = len(sprint_item.tasks), sprint_item.item.number
        has = f"has {count} task{'s' if count != 1 else ''}" if count else "has no tasks yet"
        raise UserError(f"#{number} {has}: `/sprint task {number}` lists them.")
    return sprint_item.tasks[position - 1]


def find_task(items: Sequence[SprintItem], task_id: int) -> tuple[SprintItem, SprintTask]:
    """The task a button names, among the sprint's items."""
    for sprint_item in items:
        for task in sprint_item.tasks:
            if task.id == task_id:
                return sprint_item, task
    raise UserError("That task is no longer in the sprint: `/sprint` shows it as it is now.")


def change_task(task: SprintTask, edit: TaskEdit, actor: str, developers: Sequence[str]) -> None:
    """Applies `edit` for `actor`: the task's owner or a developer. A new owner must be a
    developer; `left 0` finishes the task; reopening it puts its hours back."""
    if actor != task.owner and actor not in developers:
        raise NotAllowed(NOT_YOURS)
    if edit.owner is not None:
        owner = actor if edit.owner == ME else edit.owner or None
        if owner is not None and owner not in developers:
            raise UserError(
                "Tasks are owned by the team's developers, and the person you named is not one."
            )
        task.owner = owner
    if edit.hours is not None:
        if not 0 < edit.hours <= MAX_HOURS:
            raise UserError(f"{HOURS_RANGE}.")
        if not task.done and left(task) == task.hours:
            task.remaining = edit.hours  # not started: all of it is still left
        task.hours = edit.hours
    if edit.done is False and task.done:
        task.done, task.remaining = False, task.hours
    if edit.left is not None:
        if not 0 <= edit.left <= MAX_HOURS:
            raise UserError(f"{LEFT_RANGE}.")
        task.done, task.remaining = edit.left == 0, edit.left
    if edit.done:
        task.done, task.remaining = True, 0.0


# -- the burndown in hours -----------------------------------------------------------------------


def progress(
    sprint: Sprint, tasks: Iterable[SprintTask], now: datetime, *, gone: Iterable[SprintTask] = ()
) -> list[TaskProgress]:
    """Rows saying what is left of each task from now on (saved tasks: they have ids); the
    tasks that `gone` from the sprint have nothing left."""
    rows = [
        TaskProgress(sprint_id=sprint.id, task_id=task.id, at=now, remaining=left(task))
        for task in tasks
    ]
    rows += [
        TaskProgress(sprint_id=sprint.id, task_id=task.id, at=now, remaining=0.0) for task in gone
    ]
    return rows


def hours_at(rows: Iterable[TaskProgress], moment: datetime) -> float:
    """Hours left at `moment`: each task's latest row by then."""
    latest: dict[int, float] = {}
    for row in sorted(rows, key=lambda r: r.at):  # stable: rows of one moment keep their order
        if row.at <= moment:
            latest[row.task_id] = row.remaining
    return sum(latest.values())


@dataclass(frozen=True)
class HoursBaseline:
    """What the hours burndown burns down from: the task hours planned at the commitment;
    when none were, the hours of the tasks planned after it, each as first planned (done
    ones count what they had), said as such (`first_planned`)."""

    hours: float
    first_planned: bool = False


def hours_at_start(sprint: Sprint, rows: Sequence[TaskProgress]) -> HoursBaseline:
    """Hours planned when the developers committed (or as the sprint's first day began); if
    none were, those of the tasks planned after, so that tasks added (and even done) since
    still have a line to burn down from."""
    start = sprint.committed_at or datetime.combine(sprint.starts_on, time.min, tzinfo=UTC)
    if at_start := hours_at(rows, start):
        return HoursBaseline(at_start)
    first: dict[int, TaskProgress] = {}
    for row in sorted(rows, key=lambda r: r.at):
        first.setdefault(row.task_id, row)
    later = sum(row.remaining for row in first.values() if row.at > start)
    return HoursBaseline(later, first_planned=bool(later))


def hours_by_day(
    sprint: Sprint, rows: Sequence[TaskProgress], today: date, zone: tzinfo
) -> list[tuple[date, float]]:
    """Hours left at the end of each sprint day so far (the points burndown's days, in the
    team's time `zone`)."""
    days, day = [], sprint.starts_on
    while day <= min(today, sprint.ends_on):
        days.append((day, hours_at(rows, datetime.combine(day, time.max, tzinfo=zone))))
        day += timedelta(days=1)
    return days


def no_hours_to_burn(
    sprint: Sprint, remaining: Sequence[tuple[date, float]], start: float
) -> str | None:
    """Why the burndown in hours has nothing to show (no task has hours), or None."""
    if start or any(left for _, left in remaining):
        return None
    return (
        f"No task of sprint {sprint.number} has hours yet: `/sprint tasks <n>` plans an "
        "item's tasks, and the burndown in hours follows what is left of them."
    )
