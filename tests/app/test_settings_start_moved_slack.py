"""The sprints' start typed (QA): on a day the team does not work (a Sunday) it moves to the
next working day, and the answer says so; a start gone by says where the next sprint starts
instead, not only the date it landed on."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import commit_sprint, setup
from tests.app.test_priority_slack import timebox
from tests.app.test_settings_form_slack import _form, the_team
from tests.app.test_team_forms_open_slack import told
from tests.conftest import CHANNEL, PO, roles


async def test_a_start_on_a_day_off_moves_to_the_next_working_day_and_says_so(slack, clock):
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # a Wednesday
    await roles(slack)
    said = shown(await timebox(slack, "settings start 2026-12-06"))  # a Sunday
    assert "not set → Monday 07 December 2026" in said, said
    assert "The start you gave, Sun 06 Dec, is not a working day of the team" in said, said
    assert "the next one, Mon 07 Dec" in said and "runs Mon 07 Dec to Fri 18 Dec" in said, said
    assert (await the_team(slack)).sprint_start == date(2026, 12, 7)

    await timebox(slack, "settings days tue-sat")  # a team working Tuesday to Saturday
    said = shown(await timebox(slack, "settings start 2026-12-14"))  # a Monday
    assert "Tuesday 15 December 2026" in said and "The start you gave, Mon 14 Dec" in said, said
    said = shown(await timebox(slack, "settings start 2026-12-19"))  # their Saturday: kept
    assert "Saturday 19 December 2026" in said and "The start you gave" not in said, said


async def test_the_form_and_the_setup_move_it_too(slack, clock):
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await roles(slack)
    view = await _form(slack)
    await slack.driver.submit(view, {"Sprints start on": date(2026, 12, 12)}, user=PO)
    assert (await the_team(slack)).sprint_start == date(2026, 12, 14)
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)
    setup_form = slack.emulator.open_view(PO)
    await slack.driver.submit(setup_form, {"Sprints start on": date(2026, 12, 20)}, user=PO)
    assert (await the_team(slack)).sprint_start == date(2026, 12, 21)
    said = told(slack, PO)  # as the settings say it, not silently
    assert "The start you gave, Sun 20 Dec, is not a working day of the team" in said, said
    assert "the sprints start on the next one, Mon 21 Dec" in said and "*Product Owner:*" in said


async def test_a_start_gone_by_says_where_the_next_sprint_starts(slack, clock):
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await roles(slack)
    said = shown(await timebox(slack, "settings start 2026-11-30"))  # Monday, gone by
    assert "The start you gave, Mon 30 Nov, has gone by" in said, said
    assert "the next one starts on Wed 02 Dec" in said, said

    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await setup(slack)
    await commit_sprint(slack, 1)
    clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))  # sprint 1 is over
    said = shown(await timebox(slack, "settings start 2026-11-23"))
    assert "The start you gave, Mon 23 Nov, has gone by" in said, said
