"""Old reminders and the calendar's answers, through the real app and the Slack emulator on
an injected clock: a reminder's Start now starts the occurrence it was for on its day only
(another day's click hears privately that the session has passed, and how to start one now);
a reminder whose meeting began by itself loses its Start now; `/planning schedule` names as
next what the calendar lists (not the planning of a sprint committed ahead of its slot); the
Home tab names the next planning that will be held (not a skipped one); and a new time zone's
answer says the ceremonies and reminders keep their local times."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_calendar_slack import agendas, open_meeting, reminders, say, team
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import commit_sprint, setup
from tests.app.test_ready_slack import at, bot_posts
from tests.conftest import CHANNEL, DEV1, PO, SM

WEDNESDAY_REMINDER = datetime(2026, 3, 4, 12, 45, tzinfo=UTC)  # 13:45 in Berlin
WED_2_DEC = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _stamp(when: datetime) -> str:
    return f"<!date^{int(when.timestamp())}^"


async def test_start_now_on_a_past_sessions_reminder_starts_nothing_and_says_so(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, WEDNESDAY_REMINDER)
    [reminder] = reminders(slack)
    await at(slack, datetime(2026, 3, 6, 9, 0, tzinfo=UTC))  # Friday: Wednesday's has passed

    await slack.driver.click("Start now", user=DEV1, message=reminder)
    answer = shown(last_ephemeral(slack, DEV1))
    assert "has passed" in answer and "Wed 4 Mar" in answer, answer
    assert "`/refine start`" in answer, answer
    assert agendas(slack) == []
    async with slack.db.transaction() as store:
        kept = await store.team("T0TEAM", CHANNEL)
        assert kept is not None and await store.open_meeting(kept.id) is None
    still = slack.emulator.find_message(CHANNEL, reminder.ts)
    assert "Started by" not in shown(still), "not marked started"


async def test_start_now_on_its_day_still_starts_the_session(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, WEDNESDAY_REMINDER)
    [reminder] = reminders(slack)
    await at(slack, datetime(2026, 3, 4, 16, 0, tzinfo=UTC))  # 17:00, the same day, late

    await slack.driver.click("Start now", user=DEV1, message=reminder)
    assert (await open_meeting(slack)).kind == "refinement"
    assert f"Started by <@{DEV1}>" in shown(slack.emulator.find_message(CHANNEL, reminder.ts))


async def test_a_reminder_loses_its_start_now_once_its_meeting_began_by_itself(slack):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")  # it is 10:00 in Berlin
    await at(slack, datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    [reminder] = reminders(slack)
    await at(slack, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 2, 9, 31, tzinfo=UTC))
    assert len(agendas(slack)) == 1

    assert reminders(slack) == [], "no Start now left on it"
    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert "Backlog refinement in 15 min" in redrawn, "what it said is kept"
    assert f"Began by itself at its time, facilitated by <@{SM}>" in redrawn, redrawn


async def test_planning_schedule_names_as_next_what_the_calendar_lists(slack):
    await setup(slack)
    await at(slack, WED_2_DEC)
    await say(slack, "/timebox", "settings start 2026-12-07", user=PO)
    await commit_sprint(slack, 1)  # sprint 1, of the slot of Mon 7 Dec, committed ahead
    answer = shown(await say(slack, "/planning", "schedule 10:00 2h"))

    next_line = answer[answer.index("Next: ") :]
    monday_7 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    monday_21 = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)
    assert _stamp(monday_7) not in next_line, next_line
    assert next_line.index(_stamp(monday_21)) == len("Next: "), next_line
    listing = shown(await say(slack, "/timebox", "calendar"))
    assert _stamp(monday_7) not in listing and _stamp(monday_21) in listing


async def test_home_names_the_next_planning_held_after_the_next_one_is_skipped(slack):
    await setup(slack)
    await at(slack, WED_2_DEC)
    await say(slack, "/timebox", "settings start 2026-12-07", user=PO)
    await say(slack, "/planning", "schedule 10:00 2h")
    await say(slack, "/timebox", "calendar skip planning next")

    shown_home = await home(slack, DEV1)
    assert "Sprint planning Mon 21 Dec" in shown_home, shown_home
    assert "Mon 7 Dec" not in shown_home, shown_home
    assert _stamp(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) not in shown_home


async def test_a_new_time_zone_says_the_ceremonies_keep_their_local_times(slack):
    await setup(slack)
    await at(slack, WED_2_DEC)
    await say(slack, "/timebox", "settings start 2026-12-07", user=PO)
    await say(slack, "/planning", "schedule 10:00 2h")
    answer = shown(await say(slack, "/timebox", "settings timezone Asia/Tokyo"))
    line = (
        "The team's ceremonies and reminders keep their local times, now in Asia/Tokyo time: "
        "Sprint planning at 10:00 (09:00 → 01:00 UTC)."
    )
    assert line in answer, answer
    assert len([p for p in bot_posts(slack) if "keep their local times" in shown(p)]) == 0


async def test_a_reminder_whose_meeting_was_started_by_command_says_so_and_starts_no_other(slack):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")
    await at(slack, datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    [reminder] = reminders(slack)
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    await at(slack, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))  # its auto start finds it running
    await at(slack, datetime(2026, 3, 2, 9, 31, tzinfo=UTC))

    assert len(agendas(slack)) == 1
    assert reminders(slack) == [], "no Start now left on it"
    assert f"Started by <@{SM}>" in shown(slack.emulator.find_message(CHANNEL, reminder.ts))


async def test_start_now_on_a_session_begun_by_command_answers_and_drops_the_button(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    await at(slack, WEDNESDAY_REMINDER)
    [reminder] = reminders(slack)
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)

    await slack.driver.click("Start now", user=DEV1, message=reminder)
    assert "already running" in shown(last_ephemeral(slack, DEV1))
    assert len(agendas(slack)) == 1
    redrawn = shown(slack.emulator.find_message(CHANNEL, reminder.ts))
    assert f"Started by <@{SM}>" in redrawn and "calendar_start" not in redrawn, redrawn
