"""A done item's tasks are done: `/sprint done` finishes the item with its tasks, so a task
that had "1h left" reads 0h left on the task card, the sprint card, the sprint's CSV and the
hours burndown alike."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at
from tests.app.test_sprint_export_choice_slack import rows
from tests.app.test_sprint_points_slack import uploads
from tests.app.test_sprint_tasks_slack import committed, private, task_states
from tests.conftest import DEV1, SM


async def test_done_item_has_its_tasks_done_with_nothing_left_everywhere(slack):
    await committed(slack)  # #1 with "Design the query 2h" and "Build the PDF 6h"
    await at(slack, slack.clock.now() + timedelta(hours=2))
    await cmd(slack, "/sprint", "task 1 1 done", DEV1)
    await cmd(slack, "/sprint", "task 1 2 left 1", DEV1)
    assert "1h left" in private(slack, DEV1)
    await cmd(slack, "/sprint", "done 1", DEV1)
    states = {title: (left, done) for title, _, left, done, _ in await task_states(slack)}
    assert states["Build the PDF"] == (0.0, True), states

    await cmd(slack, "/sprint", "tasks 1", DEV1)
    tasks_card = private(slack, DEV1)
    assert "1h left" not in tasks_card, tasks_card
    await cmd(slack, "/sprint", "", SM)
    card = shown(last_ephemeral(slack, SM))
    assert "tasks 2/2" in card and "h left" not in card.split("#3")[0].split("#1")[1], card

    await cmd(slack, "/sprint", "export csv", SM)
    header, *exported = rows(slack, "sprint-1.csv")
    pdf = next(dict(zip(header, row, strict=True)) for row in exported if "Build the PDF" in row)
    assert (pdf["Item status"], pdf["Task done"]) == ("done", "yes"), pdf
    await cmd(slack, "/sprint", "burndown hours", SM)
    [(comment, _)] = uploads(slack, "burndown-hours.png")
    assert "0h left of 8h at the commitment" in comment, comment
