"""A task's hours through the real app and the Slack emulator: minutes are hours too (`30m`,
`1h30`, `1.5h`), and an item whose tasks have more left than was planned says so in words
("24h of 12h left" read as if less were left than planned)."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_sprint_tasks_slack import TASKS_FORM, committed, private, task_states
from tests.conftest import DEV1


async def test_a_task_takes_its_time_in_minutes_or_hours_and_minutes(slack):
    await committed(slack)  # #1: Design the query 2h, Build the PDF 6h
    await cmd(slack, "/sprint", "task 1 add Review 30m", DEV1)
    assert "*Review*: 0.5h left, nobody's yet." in private(slack, DEV1)

    await cmd(slack, "/sprint", "tasks 3", DEV1)
    lines = "Audit schema 1h30\nWrite the log 1.5h, 45 min left\nDemo 20 minutes\nPair 1h 15m"
    await slack.driver.submit(slack.emulator.open_view(DEV1), {TASKS_FORM: lines}, user=DEV1)
    assert "#3: 4 tasks, 4.58h." in private(slack, DEV1)
    states = [(title, hours, left) for title, hours, left, *_ in await task_states(slack)]
    assert states[2:] == [
        ("Review", 0.5, 0.5),
        ("Audit schema", 1.5, 1.5),
        ("Write the log", 1.5, 0.75),
        ("Demo", 0.33, 0.33),
        ("Pair", 1.25, 1.25),
    ]

    for unclear in ("Review 30", "Review 2 months"):
        await cmd(slack, "/sprint", f"task 1 add {unclear}", DEV1)
        assert "like `Write the docs 2h` or `Review 30m`" in private(slack, DEV1)
    await cmd(slack, "/sprint", "task 1 add Review 0m", DEV1)
    assert "A task takes from more than 0 to 200 hours" in private(slack, DEV1)
    assert len(await task_states(slack)) == 7, "none of them added"


async def test_more_hours_left_than_planned_reads_as_more(slack):
    await committed(slack)  # #1: Design the query 2h, Build the PDF 6h
    await cmd(slack, "/sprint", "task 1 2 left 20", DEV1)  # it turned out bigger
    card = private(slack, DEV1)
    assert "22h of 8h left" not in card
    assert "tasks 0/2 done · 22h left, 14h more than the 8h planned" in card, card
    await cmd(slack, "/sprint", "", DEV1)
    sprint = shown(last_ephemeral(slack, DEV1))
    assert "22h of tasks left, 14h more than the 8h planned" in sprint, sprint

    await cmd(slack, "/sprint", "task 1 2 left 4", DEV1)
    assert "tasks 0/2 done · 6h of 8h left" in private(slack, DEV1)
