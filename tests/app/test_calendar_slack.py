"""The team's calendar end to end, through the real app and the Slack emulator on an injected
clock: recurring refinements and plannings, their reminders with the agenda and Start now,
auto start, `/timebox calendar` (skip, move, lead), the iCalendar feed served at its secret
address and parsed back, and reminders that fire once per occurrence across a restart."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import recurring_ical_events
from sqlalchemy import text

from bot.domain import ceremonies
from bot.emulator.stack import LocalStack
from bot.usecases.housekeeping import restore_schedules
from storage.models import Meeting
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_ready_slack import at, bot_posts, make_team
from tests.conftest import CHANNEL, DEV1, PO, SM

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY_REMINDER = datetime(2026, 3, 4, 12, 45, tzinfo=UTC)  # 13:45 in Berlin


async def say(slack: LocalStack, command: str, text: str, user: str = SM) -> Any:
    """Runs a command; the private answer it gave."""
    before = len(slack.emulator.ephemerals(CHANNEL, user))
    ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
    assert ack.status == 200
    after = slack.emulator.ephemerals(CHANNEL, user)
    assert len(after) > before, f"{command} {text}: no answer"
    return after[-1]


async def team(slack: LocalStack, ready: set[int] = frozenset()) -> None:
    """A Berlin team (the PO's zone, Germany's holidays) with a Scrum Master, three items."""
    await make_team(slack, ["Checkout redesign", "Export invoices", "Fix login bug"], ready)
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=CHANNEL)
    await say(slack, "/timebox", "settings country DE")


def reminders(slack: LocalStack) -> list[Any]:
    return [m for m in bot_posts(slack) if "calendar_start" in shown(m)]


def agendas(slack: LocalStack) -> list[Any]:
    """Meeting agenda messages: a header and the meeting's controls."""
    return [m for m in bot_posts(slack) if "meeting_next" in shown(m) and not m.thread_ts]


async def open_meeting(slack: LocalStack) -> Meeting:
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        meeting = await store.open_meeting(team.id)
    assert meeting is not None
    return meeting


async def pending(slack: LocalStack, kind: str) -> list[Any]:
    async with slack.db.transaction() as store:
        return list(await store.pending(kind))


async def test_a_scheduled_refinement_is_announced_with_its_agenda_and_started_from_it(slack):
    await team(slack)
    refused = await say(slack, "/refine", "schedule wed 14:00 60m", user=DEV1)
    assert "Only the Product Owner or Scrum Master" in shown(refused)
    answer = shown(await say(slack, "/refine", "schedule wed 14:00 60m"))
    assert "*Backlog refinement* every week on Wed at 14:00, 60 min, in Europe/Berlin" in answer
    assert "15 min before it" in answer and "Start now" in answer
    [job] = await pending(slack, ceremonies.REMIND)
    assert job.due_at == WEDNESDAY_REMINDER

    await at(slack, datetime(2026, 3, 4, 12, 44, tzinfo=UTC))
    assert reminders(slack) == []
    await at(slack, WEDNESDAY_REMINDER)
    await at(slack, datetime(2026, 3, 4, 12, 50, tzinfo=UTC))
    [reminder] = reminders(slack)
    said = shown(reminder)
    assert "Backlog refinement in 15 min" in said and "(60 min)" in said
    assert "*Agenda: Backlog refinement*" in said and "• Kick-off · " in said
    assert "3 items in the planning horizon are not ready yet" in said
    assert "*#1* Checkout redesign: no value hypothesis" in said
    [nxt] = await pending(slack, ceremonies.REMIND)
    assert nxt.due_at == datetime(2026, 3, 11, 12, 45, tzinfo=UTC), "next week's is planned"

    await slack.driver.click("Start now", user=SM, message=reminder)
    [agenda] = agendas(slack)
    assert "Backlog refinement" in shown(agenda)
    reminder = slack.emulator.find_message(CHANNEL, reminder.ts)
    assert f"Started by <@{SM}>" in shown(reminder) and "calendar_start" not in shown(reminder)
    meeting = await open_meeting(slack)
    assert meeting.kind == "refinement" and meeting.agenda["minutes"] == 60


async def test_auto_start_begins_the_meeting_at_its_time_once(slack):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")  # it is 10:00 in Berlin
    await at(slack, datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    assert len(reminders(slack)) == 1 and "begins by itself" in shown(reminders(slack)[0])
    shown_before = copy.deepcopy(reminders(slack)[0])  # as a screen not yet updated shows it
    assert agendas(slack) == []
    await at(slack, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 2, 9, 31, tzinfo=UTC))
    [agenda] = agendas(slack)
    assert "Backlog refinement" in shown(agenda)
    meeting = await open_meeting(slack)
    assert meeting.facilitator == SM, "whoever scheduled it facilitates"
    assert meeting.agenda["minutes"] == 45
    # The reminder loses its Start now; a click from a screen still showing it finds the
    # meeting running: a plain answer, nothing doubled.
    assert reminders(slack) == []
    await slack.driver.click("Start now", user=PO, message=shown_before)
    refusal = last_ephemeral(slack, PO)
    assert "already running" in shown(refusal)
    raw = refusal.text + json.dumps(refusal.blocks)
    assert f"(facilitated by <@{SM}>)" in raw and "&lt;@" not in raw, "a real mention"
    assert len(agendas(slack)) == 1


async def test_planning_is_scheduled_on_sprint_starts_with_the_forecast_and_ready_items(slack):
    await team(slack, ready={2})
    refused = shown(await say(slack, "/planning", "schedule 10:00"))
    assert "no sprint calendar yet" in refused
    await say(slack, "/timebox", "settings start 2026-03-16")
    answer = shown(await say(slack, "/planning", "schedule 10:00 2h"))
    assert "on each sprint's first working day at 10:00, 120 min" in answer
    await at(slack, datetime(2026, 3, 16, 8, 45, tzinfo=UTC))  # 09:45 in Berlin
    [reminder] = reminders(slack)
    said = shown(reminder)
    assert "*Sprint planning* for sprint 1 starts" in said
    assert "*Forecast:* none yet" in said
    assert "*#2* Export invoices · 3 pts" in said and "#1* Checkout" not in said
    await slack.driver.click("Start now", user=SM, message=reminder)
    [agenda] = agendas(slack)
    assert "Sprint planning" in shown(agenda)


async def test_the_calendar_skips_and_moves_one_occurrence_and_sets_the_lead(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    listing = await say(slack, "/timebox", "calendar", user=DEV1)
    rows = shown(listing)
    assert rows.count("calendar_skip") == 4, "four Wednesdays in the next four weeks"
    await slack.driver.click("Skip", user=DEV1, message=listing)
    assert "Only the Product Owner or Scrum Master" in shown(last_ephemeral(slack, DEV1))
    listing = await say(slack, "/timebox", "calendar")
    await slack.driver.click("Skip", user=SM, message=listing)
    assert "_skipped_" in shown(last_ephemeral(slack, SM))

    moved = shown(await say(slack, "/timebox", "calendar move 2026-03-11 to 2026-03-12 15:00"))
    assert "_(moved)_" in moved
    lead = shown(await say(slack, "/timebox", "calendar lead 30m", user=PO))
    assert "reminders 30 min before" in lead
    refused = shown(await say(slack, "/timebox", "calendar skip 2026-03-10"))
    assert "No ceremony is coming on Tue 10 Mar 2026" in refused

    await at(slack, datetime(2026, 3, 4, 12, 45, tzinfo=UTC))  # skipped
    await at(slack, datetime(2026, 3, 11, 12, 45, tzinfo=UTC))  # moved to Thursday
    assert reminders(slack) == []
    await at(slack, datetime(2026, 3, 12, 13, 30, tzinfo=UTC))  # 15:00 Berlin, 30 min before
    [reminder] = reminders(slack)
    assert "Backlog refinement in 30 min" in shown(reminder)
    [nxt] = await pending(slack, ceremonies.REMIND)
    assert nxt.due_at == datetime(2026, 3, 18, 12, 30, tzinfo=UTC)


async def _get(slack: LocalStack, url: str) -> tuple[int, str, bytes]:
    path = urlparse(url).path
    async with aiohttp.ClientSession() as http, http.get(f"{slack.url}{path}") as answer:
        return answer.status, answer.content_type, await answer.read()


def _feed_url(answer: Any) -> str:
    [url] = set(re.findall(r"https?://[^\s<>|\\\"]+/calendar/[A-Za-z0-9_-]+\.ics", shown(answer)))
    return url


async def test_the_feed_is_served_at_a_secret_address_and_parses_with_the_dst_change(slack):
    await team(slack)
    await say(slack, "/timebox", "settings start 2026-03-02")
    await say(slack, "/refine", "schedule mon 14:00 60m")
    await say(slack, "/planning", "schedule 10:00")
    refused = shown(await say(slack, "/timebox", "calendar feed", user=DEV1))
    assert "Only the Product Owner or Scrum Master" in refused and "/calendar/" not in refused
    answer = await say(slack, "/timebox", "calendar feed", user=PO)
    url = _feed_url(answer)
    assert url.startswith("http://localhost:") and url.endswith(".ics")
    assert all("/calendar/" not in shown(m) for m in slack.emulator.messages(CHANNEL))
    token = urlparse(url).path.removeprefix("/calendar/").removesuffix(".ics")
    async with slack.db.engine.connect() as conn:
        kept = (await conn.execute(text("SELECT * FROM team_calendars"))).mappings().one()
    assert kept["feed_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(dict(kept)), "the secret itself is not stored"

    status, content_type, body = await _get(slack, url)
    assert (status, content_type) == (200, "text/calendar")
    calendar = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(date(2026, 3, 1), date(2026, 4, 20))
    refinements = sorted(e["DTSTART"].dt for e in events if e["SUMMARY"] == "Backlog refinement")
    assert [d.date() for d in refinements] == [
        *(date(2026, 3, d) for d in (2, 9, 16, 23, 30)),
        date(2026, 4, 13),  # Easter Monday, 6 April, is a holiday
    ]
    assert {d.astimezone(BERLIN).time() for d in refinements} == {time(14)}
    assert [d.astimezone(UTC).hour for d in refinements] == [13, 13, 13, 13, 12, 12]
    [first] = [e for e in events if e["DTSTART"].dt == refinements[0]]
    assert "Kick-off" in first["DESCRIPTION"] and "channel=C0TEAM" in first["URL"]
    summaries = {str(e["SUMMARY"]) for e in events}
    assert {"Sprint planning · Sprint 2", "Sprint 1 starts", "Sprint 1 ends"} <= summaries

    again = shown(await say(slack, "/timebox", "calendar feed", user=PO))
    assert "has a calendar feed already" in again and "/calendar/" not in again
    rotated = _feed_url(await say(slack, "/timebox", "calendar rotate", user=SM))
    assert rotated != url
    assert (await _get(slack, url))[0] == 404, "the old address stops working"
    assert (await _get(slack, rotated))[0] == 200
    assert (await _get(slack, "/calendar/" + "x" * 43 + ".ics"))[0] == 404


async def test_reminders_fire_once_per_occurrence_across_a_restart_and_daylight_saving(
    slack, db, clock
):
    await team(slack)
    await say(slack, "/refine", "schedule mon 14:00")
    await at(slack, datetime(2026, 3, 2, 12, 45, tzinfo=UTC))
    assert len(reminders(slack)) == 1
    # A crash after the reminder went out, before its job was marked done: it is due again.
    key = next(j.key for j in await _jobs(slack) if j.done_at is not None)
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE scheduled_jobs SET done_at = NULL, claimed_until = NULL WHERE key = :k"),
            {"k": key},
        )
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        assert await restore_schedules(restarted.services) == 0, "pending rows survived"
        await at(restarted, datetime(2026, 3, 2, 12, 50, tzinfo=UTC))
        assert len(reminders(slack)) == 1, "the rerun posts nothing twice"
        for week, hour in ((9, 12), (16, 12), (23, 12), (30, 11)):  # summer time from 29 March
            await at(restarted, datetime(2026, 3, week, hour, 44, tzinfo=UTC))
            await at(restarted, datetime(2026, 3, week, hour, 45, tzinfo=UTC))
        assert len(reminders(slack)) == 5
        # The chain lost (a crash between a reminder and the next one's planning): the
        # start-up plans it again.
        async with db.transaction() as store:
            await store.cancel_prefix("ceremony:")
        assert await restore_schedules(restarted.services) == 1
        await at(restarted, datetime(2026, 4, 13, 11, 45, tzinfo=UTC))  # 6 April: Easter
        assert len(reminders(slack)) == 6
        remind_jobs = [j for j in await _jobs(slack) if j.kind == ceremonies.REMIND]
        assert all(j.attempts <= 2 for j in remind_jobs)
        assert len({j.key for j in remind_jobs}) == len(remind_jobs)
    finally:
        await restarted.stop()


async def _jobs(slack: LocalStack) -> list[Any]:
    async with slack.db.transaction() as store:
        return list(await store.jobs())


async def test_scheduling_off_removes_the_ceremony_and_its_reminders(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 auto")
    assert await pending(slack, ceremonies.REMIND) and await pending(slack, ceremonies.START)
    answer = shown(await say(slack, "/refine", "schedule off"))
    assert "No more scheduled backlog refinements" in answer
    assert await pending(slack, ceremonies.REMIND) == []
    assert await pending(slack, ceremonies.START) == []
    assert "Nothing is scheduled yet" in shown(await say(slack, "/timebox", "calendar"))


async def test_with_no_lead_the_reminder_comes_as_the_ceremony_starts(slack):
    await team(slack)
    await say(slack, "/refine", "schedule mon 10:30")  # it is 10:00 in Berlin
    answer = shown(await say(slack, "/timebox", "calendar lead 0"))
    assert "(reminders as it starts)" in answer
    await at(slack, datetime(2026, 3, 2, 9, 29, tzinfo=UTC))
    assert reminders(slack) == []
    await at(slack, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    [reminder] = reminders(slack)
    assert "Backlog refinement starts now" in shown(reminder)


async def test_the_home_tab_lists_the_scheduled_ceremonies_at_their_time(slack):
    """A scheduled refinement is on the App Home of the team's people, with its time in Slack's
    date format (each viewer's zone); a skipped occurrence is left out."""
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    shown_home = await home(slack, PO)
    first = int(datetime(2026, 3, 4, 13, 0, tzinfo=UTC).timestamp())  # 14:00 in Berlin
    assert f"Backlog refinement <!date^{first}^" in shown_home and "60 min" in shown_home

    skipped = shown(await say(slack, "/timebox", "calendar skip 2026-03-04"))
    assert "_skipped_" in skipped, skipped
    shown_home = await home(slack, PO)
    assert f"<!date^{first}^" not in shown_home, "the skipped one is not announced"


async def test_a_new_time_zone_moves_the_planned_reminder_at_once(slack):
    """The reminder of a Wednesday 14:00 refinement follows the team to a new zone as soon as
    the setting changes, not after the next one has fired at the old time."""
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00 60m")
    [job] = await pending(slack, ceremonies.REMIND)
    assert job.due_at == WEDNESDAY_REMINDER  # 13:45 in Berlin
    await say(slack, "/timebox", "settings timezone America/New_York")
    [job] = await pending(slack, ceremonies.REMIND)
    assert job.due_at == datetime(2026, 3, 4, 18, 45, tzinfo=UTC), "13:45 in New York"
