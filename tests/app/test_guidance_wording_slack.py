"""Guidance that says what to type: a date's format with an example from today, a task's hours
limit when the hours are what is wrong, and a refusal that names the channel once."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_priority_slack import timebox
from tests.app.test_sprint_tasks_slack import TASKS_FORM, committed
from tests.conftest import CHANNEL, DEV1, roles


async def test_a_date_not_understood_is_answered_with_its_format_and_todays_date(slack):
    await roles(slack)
    slack.clock.advance(timedelta(days=10))  # 2026-03-12
    for typed in ("2026-13-01", "tomorrow"):
        answer = (await timebox(slack, f"settings start {typed}")).text
        assert f"`{typed}` is not a date" in answer, answer
        assert "YYYY-MM-DD, e.g. `2026-03-12`" in answer, answer
        assert "write it as" not in answer, answer


async def test_the_tasks_form_names_the_hours_limit_for_hours_out_of_range(slack: LocalStack):
    await committed(slack)
    error = await _tasks_form(slack, "Design it 2h\nHuge 500h")
    assert "A task takes from more than 0 to 200 hours" in error, error
    assert "“Huge 500h”" in error and "Not understood" not in error, error
    error = await _tasks_form(slack, "Design it\nHuge 500h")
    assert "Not understood: “Design it”" in error, "a line not understood still says so"
    error = await _tasks_form(slack, "Build it 8h, 300h left")
    assert "Hours left go from 0 (done) to 200" in error, error


async def _tasks_form(slack: LocalStack, text: str) -> str:
    """`/sprint tasks 1` by Diana, its form sent with `text`: the form's error."""
    await slack.driver.command("/sprint", "tasks 1", user=DEV1, channel=CHANNEL)
    ack = await slack.driver.submit(slack.emulator.open_view(DEV1), {TASKS_FORM: text}, user=DEV1)
    return ack.json["errors"]["tasks"]


async def test_a_developer_refused_a_tracker_connection_reads_the_channel_once(slack):
    await roles(slack)
    await slack.driver.command("/timebox", "connect jira", user=DEV1, channel=CHANNEL)
    refusal = shown(last_ephemeral(slack, DEV1))
    assert "Only the Product Owner or Scrum Master can connect this channel to Jira." in refusal
    assert "to Jira in this channel" not in refusal, refusal
