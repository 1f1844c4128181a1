"""A new sprint length or start, set while a sprint is committed, lays the calendar again
after it: the committed sprint keeps its dates, the next one starts once it has ended, on the
new cadence, numbered on from it, and the reply says where it falls. Before, the slots were
counted from the first sprint's start again: plannings fell inside the committed sprint or
were taken for plannings of sprints committed already and hidden."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at
from tests.app.test_sprint_ahead_slack import sprint_3_committed_ahead
from tests.conftest import DEV1, PO, SM


def planning_days(listed: str) -> list[int]:
    """The days (since the epoch) of the sprint plannings a calendar listing names."""
    plannings = [line for line in listed.split("\n") if "*Sprint planning*" in line]
    return [int(t) // 86400 for line in plannings for t in re.findall(r"<!date\^(\d+)", line)]


def day(month: int, day_of_month: int, year: int = 2026) -> int:
    return int(datetime(year, month, day_of_month, 12, tzinfo=UTC).timestamp()) // 86400


async def test_a_new_start_puts_the_next_sprint_after_the_committed_one(slack):
    await sprint_3_committed_ahead(slack)  # sprint 3: Mon 14 Dec - Sun 27 Dec
    await cmd(slack, "/timebox", "settings start 2026-12-16", PO)  # Wednesdays, from inside it
    reply = shown(last_ephemeral(slack, PO))
    assert "*Sprint 4*, the next, runs Wed 30 Dec to Tue 12 Jan" in reply, reply
    assert "sprint 3 keeps its dates, to Fri 25 Dec" in reply, reply
    await cmd(slack, "/planning", "schedule 09:00", SM)
    await cmd(slack, "/timebox", "calendar", SM)
    days = planning_days(shown(last_ephemeral(slack, SM)))
    assert days and days[0] == day(12, 30), "the first planning opens sprint 4, none in sprint 3"
    await cmd(slack, "/sprint", "", SM)
    assert "Sprint 3 (committed, starts Mon 14 Dec)" in shown(last_ephemeral(slack, SM))


async def test_a_longer_sprint_hides_no_planning_and_blocks_no_work(slack):
    """Counted from the first sprint's start, 4-week slots made Mon 28 Dec "sprint 2", a
    planning of a sprint committed already: hidden, and sprint 4 dated a year on."""
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/timebox", "settings sprint 4w", PO)
    reply = shown(last_ephemeral(slack, PO))
    assert "*Sprint 4*, the next, runs Mon 28 Dec to Fri 22 Jan" in reply, reply
    await cmd(slack, "/planning", "schedule 09:00", SM)
    await cmd(slack, "/timebox", "calendar", SM)
    assert day(12, 28) in planning_days(shown(last_ephemeral(slack, SM)))
    await at(slack, datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    await cmd(slack, "/sprint", "done 2", DEV1)
    await cmd(slack, "/sprint", "", SM)
    assert "8 of 8 points done" in shown(last_ephemeral(slack, SM)), "sprint 3 runs as planned"
