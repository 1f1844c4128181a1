"""Task lines keep a title's leading dash (a bullet is "- title"), and the burndown in hours
has a baseline when the tasks were planned after the commitment."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.charts import burndown_chart, burndown_summary
from bot.domain.tasks import HoursBaseline, hours_at_start, no_hours_to_burn, parse_task_lines
from storage.models import Sprint, TaskProgress


def test_a_title_keeps_its_leading_dash_and_bullets_still_go():
    lines = parse_task_lines(
        "-2+3 evil 1h\n--force push 2h\n- Write tests: 1.5 hours\n-[x] Review 30m\n"
        "* Pair 1h30\n• Build 6h, 4h left\n*bold* claim 1h"
    )
    assert [line.title for line in lines] == [
        "-2+3 evil",
        "--force push",
        "Write tests",
        "Review",
        "Pair",
        "Build",
        "*bold* claim",
    ]
    assert lines[3].done and lines[5].left == 4


COMMITTED = datetime(2026, 3, 2, 10, tzinfo=UTC)


def committed_sprint() -> Sprint:
    return Sprint(
        id=1,
        team_id=1,
        number=1,
        status="active",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 13),
        goal="PDF invoices",
        committed_points=8,
        committed_at=COMMITTED,
    )


def row(task: int, day: int, hour: int, left: float) -> TaskProgress:
    return TaskProgress(task_id=task, at=datetime(2026, 3, day, hour, tzinfo=UTC), remaining=left)


def test_tasks_planned_after_a_commitment_without_hours_are_the_baseline_even_once_done():
    sprint = committed_sprint()
    rows = [row(1, 2, 11, 4), row(2, 3, 9, 6), row(1, 3, 12, 0), row(2, 4, 16, 0)]  # all done
    start = hours_at_start(sprint, rows)
    assert start == HoursBaseline(10, first_planned=True)
    done = [(date(2026, 3, 2), 4.0), (date(2026, 3, 3), 6.0), (date(2026, 3, 4), 0.0)]
    assert no_hours_to_burn(sprint, done, start.hours) is None, "the tasks had 10h"
    assert burndown_summary(sprint, done, hours_at_start=10, first_planned=True) == (
        "0h left of 10h as the tasks were first planned (they had no hours at the commitment)."
    )
    assert burndown_chart(sprint, done, hours_at_start=10, first_planned=True)[:4] == b"\x89PNG"


def test_hours_at_the_commitment_stay_the_baseline_and_no_tasks_is_still_nothing():
    sprint = committed_sprint()
    at_commit = hours_at_start(sprint, [row(1, 2, 9, 3), row(2, 3, 9, 6)])
    assert at_commit == HoursBaseline(3)
    summary = burndown_summary(sprint, [(date(2026, 3, 3), 9.0)], hours_at_start=3)
    assert summary == "9h left of 3h at the commitment."
    gone_before = hours_at_start(sprint, [row(1, 2, 9, 3), row(1, 2, 9, 0)])
    assert gone_before == HoursBaseline(0) and no_hours_to_burn(sprint, [], 0) is not None
