"""A sprint is shown ending on its last working day, not on the Sunday that closes its slot in
the calendar; closing it before then says how early it is."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd, commit_sprint, setup
from tests.app.test_ready_slack import at
from tests.conftest import PO, SM


async def test_the_sprint_card_ends_on_the_last_working_day(slack):
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-03-02", PO)  # a Monday, two weeks
    await commit_sprint(slack, 1)
    await cmd(slack, "/sprint", "", SM)
    card = shown(last_ephemeral(slack, SM))
    assert "Mon 02 Mar to Fri 13 Mar" in card and "Sun 15 Mar" not in card, card


async def test_closing_before_the_last_working_day_says_how_early(slack):
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-03-02", PO)
    await commit_sprint(slack, 1)
    await at(slack, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # Monday of the second week
    await cmd(slack, "/sprint", "close", SM)
    form = json.dumps(slack.emulator.open_view(SM).blocks)
    assert "ends Fri 13 Mar, 4 more working days after today: close it early?" in form, form


async def test_closing_on_the_last_working_day_says_nothing_of_it(slack):
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-03-02", PO)
    await commit_sprint(slack, 1)
    await at(slack, datetime(2026, 3, 14, 9, 0, tzinfo=UTC))  # the Saturday after it
    await cmd(slack, "/sprint", "close", SM)
    form = json.dumps(slack.emulator.open_view(SM).blocks)
    assert "close it early" not in form, form


async def test_closing_on_the_last_working_day_is_on_time_whatever_the_hour(slack):
    """QA: on the evening of its last working day (18:00 in Tokyo) the form called it early,
    "1 working day left"."""
    await setup(slack)
    await cmd(slack, "/timebox", "settings timezone Asia/Tokyo", PO)
    await cmd(slack, "/timebox", "settings start 2026-03-02", PO)
    await commit_sprint(slack, 1)
    await at(slack, datetime(2026, 3, 12, 9, 0, tzinfo=UTC))  # Thu 18:00 in Tokyo
    await cmd(slack, "/sprint", "close", SM)
    form = json.dumps(slack.emulator.open_view(SM).blocks)
    assert "ends Fri 13 Mar, 1 more working day after today: close it early?" in form, form
    slack.emulator.close_view(slack.emulator.open_view(SM).id)
    await at(slack, datetime(2026, 3, 13, 9, 0, tzinfo=UTC))  # Fri 18:00 in Tokyo: its last
    await cmd(slack, "/sprint", "close", SM)
    form = json.dumps(slack.emulator.open_view(SM).blocks)
    assert "early" not in form and "working day" not in form, form
    await cmd(slack, "/sprint", "", SM)
    assert "· last working day ·" in shown(last_ephemeral(slack, SM)), "the card says it too"


def test_the_burndown_runs_to_the_last_working_day():
    from bot.domain.charts import burndown_days
    from storage.models import Sprint

    sprint = Sprint(number=1, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 15))
    working = [date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)]
    days = burndown_days(sprint, working)
    assert days[0] == date(2026, 3, 2) and days[-1] == date(2026, 3, 13)
    assert burndown_days(sprint, None)[-1] == date(2026, 3, 15)
