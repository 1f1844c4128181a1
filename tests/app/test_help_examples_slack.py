"""Help that a person copies from: `/sprint task` says which word is a task's number, and the
calendar's examples name days that never go stale (a weekday, `next`, a month and day), each
one a command the calendar reads."""

from __future__ import annotations

import re

from bot.domain.ceremonies import parse_calendar
from bot.domain.commands import usage
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import say, team
from tests.conftest import DEV1


async def test_the_sprint_task_help_says_the_task_is_its_number(slack):
    line, what = usage("/sprint", "task"), shown(await say(slack, "/sprint", "help", user=DEV1))
    assert "<task#> owner" in line, line
    assert "<task#> is the task's number" in what, what


async def test_the_calendar_examples_use_no_date_that_goes_stale(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    listing = shown(await say(slack, "/timebox", "calendar", user=DEV1))
    helped = listing[listing.index("skips the next") - 60 :]
    assert not re.search(r"\d{4}-\d\d-\d\d", helped), helped
    examples = re.findall(r"`/timebox calendar ((?:skip|move) [^`]+)`", helped)
    assert len(examples) == 2, helped
    for example in examples:
        parse_calendar(example.split(), "usage")  # each one reads as typed
