"""A reminder's Start now after that day's meeting of its kind was held and ended: a click on
a reminder a client still shows with its button must not start a second session. The click
is refused privately (who facilitated it, when it ended, in the team's zone, and how to
start another on purpose), and the reminder loses its button."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import ceremonies_held
from storage.models import Meeting
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_calendar_slack import agendas, pending, reminders, say, team
from tests.app.test_ready_slack import at
from tests.conftest import CHANNEL, DEV1, SM

MORNING = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # Wednesday 09:00 in Berlin
REMINDER = datetime(2026, 3, 4, 12, 45, tzinfo=UTC)  # 13:45, for the 14:00 refinement
PLANNING_REMINDER = datetime(2026, 3, 16, 8, 45, tzinfo=UTC)  # 09:45, for the 10:00 planning


async def _meetings(slack) -> list[Meeting]:
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        return [
            *await store.past_meetings(team.id, "refinement"),
            *await store.past_meetings(team.id, "planning"),
        ]


async def run(slack, command: str, text: str, user: str = SM) -> None:
    """A meeting command (it answers in the channel, not privately)."""
    ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
    assert ack.status == 200


async def _clicked_after_held(slack, command: str, start: str) -> Any:
    """The day's reminder posted, its meeting then started by command and ended 42 minutes
    later, and the reminder's Start now clicked as a client that has not shown its redraw yet
    still offers it: the reminder. (A meeting held before its reminder is due gets none.)"""
    await at(slack, REMINDER if command == "/refine" else PLANNING_REMINDER)
    [reminder] = reminders(slack)
    stale = copy.deepcopy(reminder)
    await run(slack, command, start)
    await at(slack, slack.clock.now() + timedelta(minutes=42))
    await run(slack, command, "end")
    await slack.driver.click("Start now", user=DEV1, message=stale)
    return reminder


async def test_start_now_of_a_refinement_held_already_today_is_refused_and_loses_its_button(
    slack,
):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")

    reminder = await _clicked_after_held(slack, "/refine", "start 30m")  # 13:45-14:27

    assert agendas(slack) == [], "no second refinement starts"
    assert len(await _meetings(slack)) == 1
    refusal = last_ephemeral(slack, DEV1)
    said = shown(refusal)
    assert "Today's backlog refinement was held already" in said
    assert "it ended at 14:27 (Europe/Berlin)" in said, "when it ended, in the team's zone"
    assert "`/refine start`" in said, "how to start another on purpose"
    raw = refusal.text + json.dumps(refusal.blocks)
    assert f"<@{SM}>" in raw and "&lt;@" not in raw, "who facilitated it, a real mention"
    redrawn = slack.emulator.find_message(CHANNEL, reminder.ts)
    assert "calendar_start" not in shown(redrawn), "the reminder loses its Start now"
    assert f"Started by <@{SM}>" in shown(redrawn), "as its start redrew it"
    assert reminders(slack) == []
    assert await pending(slack, ceremonies_held.REDRAW) == [], "redrawn at once"


async def test_start_now_of_a_planning_held_already_today_points_to_planning_start(slack):
    await team(slack)
    await say(slack, "/timebox", "settings start 2026-03-16")
    await say(slack, "/planning", "schedule 10:00 2h")

    reminder = await _clicked_after_held(slack, "/planning", "start 1h")  # 09:45-10:27

    assert agendas(slack) == [], "no second planning starts"
    said = shown(last_ephemeral(slack, DEV1))
    assert "Today's sprint planning was held already" in said
    assert "it ended at 10:27 (Europe/Berlin)" in said and "`/planning start`" in said
    assert "calendar_start" not in shown(slack.emulator.find_message(CHANNEL, reminder.ts))


async def test_a_refinement_held_on_another_day_does_not_hold_back_todays(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, MORNING - timedelta(days=1))  # Tuesday
    await run(slack, "/refine", "start 30m")
    await run(slack, "/refine", "end")
    await at(slack, REMINDER)
    [reminder] = reminders(slack)

    await slack.driver.click("Start now", user=SM, message=reminder)

    assert len(agendas(slack)) == 1, "Wednesday's refinement starts"
    assert f"Started by <@{SM}>" in shown(slack.emulator.find_message(CHANNEL, reminder.ts))
