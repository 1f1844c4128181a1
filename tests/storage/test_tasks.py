"""A sprint item's tasks as rules (issue 13, point 2): the lines of the tasks form, a task's
owner, hours, what is left and done, and the burndown in hours; the migration that gives old
tasks what is left of them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from bot.domain import tasks
from bot.domain.errors import NotAllowed, UserError
from bot.domain.tasks import ME, TaskEdit, TaskLine
from storage.db import Database
from storage.models import BacklogItem, Sprint, SprintItem, SprintTask, TaskProgress

DIANA, DEVON, PAULA = "U0DIANA", "U0DEV", "U0PAULA"
DEVS = (DIANA, DEVON)


def item_with(*titles_hours: tuple[str, float]) -> SprintItem:
    return SprintItem(
        item=BacklogItem(number=12, title="Export invoices"),
        tasks=[
            SprintTask(id=n, title=t, hours=h, remaining=h, done=False)
            for n, (t, h) in enumerate(titles_hours, start=1)
        ],
    )


def test_a_ticked_line_is_a_done_task_and_a_line_may_say_what_is_left():
    assert tasks.parse_task_lines(
        "[x] Design DB query 2h\n[ ] Build the PDF 6h, 4h left\n- Write tests: 1.5 hours\n"
        "Review 2h (0h left)"
    ) == [
        TaskLine("Design DB query", 2.0, done=True),
        TaskLine("Build the PDF", 6.0, left=4.0),
        TaskLine("Write tests", 1.5),
        TaskLine("Review", 2.0, done=True),
    ]
    assert tasks.parse_tasks("[x] Task 2h") == [("Task", 2.0)], "not a title starting [x]"
    with pytest.raises(UserError, match="Not understood: “Build it, 3h left”"):
        tasks.parse_task_lines("Build it, 3h left")


def test_saving_the_form_keeps_tasks_by_title_with_their_owner_and_gives_what_went():
    si = item_with(("Design", 2), ("Build", 6), ("Docs", 1))
    si.tasks[1].owner = DEVON
    design, build, docs = si.tasks
    lines = "\n".join(tasks.line_of(t) for t in si.tasks)
    assert lines == "Design 2h\nBuild 6h\nDocs 1h"
    assert tasks.set_tasks(si, lines) == [] and si.tasks == [design, build, docs]

    gone = tasks.set_tasks(si, "[x] design 2h\nBuild 8h, 5h left\nTests 3h")
    assert gone == [docs]
    assert si.tasks[:2] == [design, build] and si.tasks[2].title == "Tests"
    assert design.done and tasks.left(design) == 0
    assert build.owner == DEVON and (build.hours, tasks.left(build)) == (8, 5)
    assert [tasks.line_of(t) for t in si.tasks] == [
        "[x] design 2h",
        "Build 8h, 5h left",
        "Tests 3h",
    ], "the form shows the state it saves"


def test_a_task_is_changed_by_its_owner_or_a_developer():
    si = item_with(("Design", 2), ("Build", 6))
    design, build = si.tasks
    tasks.change_task(design, TaskEdit(owner=ME), DIANA, DEVS)
    assert design.owner == DIANA
    with pytest.raises(NotAllowed, match="its owner or by one of the team's developers"):
        tasks.change_task(build, TaskEdit(done=True), PAULA, DEVS)
    with pytest.raises(UserError, match="the person you named is not one"):
        tasks.change_task(build, TaskEdit(owner=PAULA), DEVON, DEVS)

    tasks.change_task(build, TaskEdit(hours=8), DEVON, DEVS)
    assert (build.hours, tasks.left(build)) == (8, 8), "not started: all of it is left"
    tasks.change_task(build, TaskEdit(left=3), DEVON, DEVS)
    tasks.change_task(build, TaskEdit(hours=10), DEVON, DEVS)
    assert (build.hours, tasks.left(build), build.done) == (10, 3, False)
    tasks.change_task(build, TaskEdit(left=0), DEVON, DEVS)
    assert build.done and tasks.left(build) == 0
    tasks.change_task(build, TaskEdit(done=False), DEVON, DEVS)
    assert not build.done and tasks.left(build) == 10, "reopened: its hours are back"
    design.owner = PAULA  # the owner changes their own task, even if not a developer (anymore)
    tasks.change_task(design, TaskEdit(done=True), PAULA, DEVS)
    assert design.done
    with pytest.raises(UserError, match="#12 has 2 tasks"):
        tasks.task_at(si, 3)


def test_the_hours_burndown_reads_what_was_left_at_the_end_of_each_day():
    sprint = Sprint(
        id=1,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 13),
        committed_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
    )

    def row(task: int, day: int, hour: int, left: float) -> TaskProgress:
        return TaskProgress(
            task_id=task, at=datetime(2026, 3, day, hour, tzinfo=UTC), remaining=left
        )

    rows = [
        row(1, 2, 9, 2),
        row(2, 2, 9, 6),
        row(3, 2, 9, 4),  # planned: 12h
        row(1, 2, 15, 0),  # done on Monday
        row(2, 3, 11, 4),
        row(4, 3, 12, 3),  # Tuesday: 2h of Build done, a new task of 3h
        row(3, 4, 16, 0),
        row(2, 4, 17, 1),  # Wednesday: task 3 gone (or done), Build 1h left
    ]
    assert tasks.hours_at_start(sprint, rows).hours == 12
    assert tasks.hours_by_day(sprint, rows, date(2026, 3, 5), UTC) == [
        (date(2026, 3, 2), 10.0),
        (date(2026, 3, 3), 11.0),
        (date(2026, 3, 4), 4.0),
        (date(2026, 3, 5), 4.0),
    ]


async def test_the_migration_gives_old_tasks_what_is_left_and_their_first_progress(
    empty_database_url,
):
    db = Database(empty_database_url)
    await db.migrate("0007")
    async with db.engine.begin() as conn:
        for statement in (
            "INSERT INTO teams (id, workspace_id, channel_id, sprint_weeks, working_days, "
            "next_number, created_at) VALUES (1, 'T1', 'C1', 2, 'mon', 2, '2026-01-01')",
            "INSERT INTO backlog_items (id, team_id, number, title, hypothesis, type, "
            "acceptance_criteria, dependencies, labels, status, rank, created_by, created_at, "
            "updated_at) VALUES (1, 1, 1, 'Export', '', 'story', '[]', '[]', '[]', 'sprint', 1, "
            "'U1', '2026-01-01', '2026-01-01')",
            "INSERT INTO sprints (id, team_id, number, status, starts_on, ends_on, goal, "
            "one_thing, focus_factor, hours_per_day, days_off, committed_by, committed_at) "
            "VALUES (1, 1, 1, 'active', '2026-03-02', '2026-03-13', 'g', '', 0.75, 8, '{}', "
            "'[]', '2026-03-02 10:00:00+00:00')",
            "INSERT INTO sprint_items (id, sprint_id, item_id, position, supports_goal, removed, "
            "added_at) VALUES (1, 1, 1, 0, true, false, '2026-03-02 09:00:00+00:00')",
            "INSERT INTO sprint_tasks (id, sprint_item_id, title, hours, done) VALUES "
            "(1, 1, 'Design', 2, true), (2, 1, 'Build', 6, false)",
        ):
            await conn.execute(text(statement))
    await db.migrate()
    async with db.engine.connect() as conn:
        left = (
            await conn.execute(text("SELECT id, remaining FROM sprint_tasks ORDER BY id"))
        ).all()
        rows = (
            await conn.execute(
                text("SELECT task_id, remaining FROM task_progress ORDER BY task_id")
            )
        ).all()
    await db.dispose()
    assert [tuple(r) for r in left] == [(1, 0.0), (2, 6.0)]
    assert [tuple(r) for r in rows] == [(1, 0.0), (2, 6.0)]
