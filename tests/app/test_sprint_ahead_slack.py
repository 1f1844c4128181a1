"""A sprint committed ahead of its slot (the one before closed early) is not running until its
slot's first day: Timebox keeps the cadence of its slots, so the sprint planned on Wed 2 Dec
for the slot of Mon 14 Dec starts then. Until then it is shown as starting then, no work is
done in it, it cannot be closed, and a review looks at the sprint just closed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.app.test_ready_slack import at
from tests.conftest import CHANNEL, DEV1, PO, SM

WED_2_DEC = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def review_thread(slack) -> list[str]:
    """The review meeting's thread, as shown."""
    [agenda] = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and "Sprint review" in shown(m) and not m.thread_ts
    ]
    return [shown(m) for m in slack.emulator.thread(CHANNEL, agenda.ts)[1:]]


async def sprint_3_committed_ahead(slack) -> None:
    """Sprint 2 (30 Nov - 13 Dec) committed with #1 and #3, #1 done, closed early on Wed 2 Dec;
    sprint 3 (slot of Mon 14 Dec) planned and committed with #2 the same day."""
    await setup(slack)
    await at(slack, WED_2_DEC)
    await cmd(slack, "/timebox", "settings start 2026-11-16", PO)  # a Monday, two weeks
    await commit_sprint(slack, 1, 3)
    await cmd(slack, "/sprint", "done 1", DEV1)
    closed = await close_sprint(slack, "Yes")
    assert "Sprint 3" in closed and "14 Dec" in closed, closed
    await commit_sprint(slack, 2)


async def test_a_sprint_committed_ahead_of_its_slot_is_shown_starting_not_running(slack):
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/sprint", "", SM)
    card = shown(last_ephemeral(slack, SM))
    assert "Sprint 3 (committed, starts Mon 14 Dec)" in card, card
    assert "running" not in card and "working days left" not in card, card


async def test_no_work_is_done_in_a_sprint_before_it_starts(slack):
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/sprint", "done 2", DEV1)
    refused = shown(last_ephemeral(slack, DEV1))
    assert "Sprint 3 starts Mon 14 Dec" in refused, refused
    await cmd(slack, "/backlog", "done 2", DEV1)
    refused = shown(last_ephemeral(slack, DEV1))
    assert "Sprint 3 starts Mon 14 Dec" in refused, "nor by `/backlog done`"
    await cmd(slack, "/sprint", "", SM)
    assert "0 of 8 points done" in shown(last_ephemeral(slack, SM))


async def test_the_home_tab_says_when_a_sprint_committed_ahead_starts(slack):
    await sprint_3_committed_ahead(slack)
    shown_home = await home(slack, DEV1)
    assert "*Sprint 3* · committed, starts Mon 14 Dec" in shown_home, shown_home
    assert "working days left" not in shown_home


async def test_a_sprint_not_started_cannot_be_closed_so_velocity_counts_only_sprints_that_ran(
    slack,
):
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/sprint", "close", SM)
    refused = shown(last_ephemeral(slack, SM))
    assert "Sprint 3 has not started: it starts Mon 14 Dec" in refused, refused
    assert slack.emulator.open_view(SM) is None, "no closing form for a sprint not started"


async def test_the_review_after_a_close_looks_at_the_sprint_just_closed(slack):
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/review", "start 60m")
    cards = review_thread(slack)
    assert any("*The increment of sprint 2:* 1 done item" in c for c in cards), cards
    assert not any("sprint 3" in c for c in cards), cards


async def test_on_its_first_day_the_sprint_runs(slack):
    await sprint_3_committed_ahead(slack)
    await at(slack, datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    await cmd(slack, "/sprint", "", SM)
    card = shown(last_ephemeral(slack, SM))
    assert "Sprint 3 (running)" in card and "10 working days left" in card, card
    await cmd(slack, "/sprint", "close", SM)
    form = json.dumps(slack.emulator.open_view(SM).blocks)
    assert "9 more working days after today: close it early?" in form, form


async def test_no_planning_is_reminded_for_the_sprint_committed_ahead(slack):
    """The planning the calendar holds on sprint 3's first day planned a sprint committed
    already: no reminder calls the team to it; the one of sprint 4 still comes."""
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/planning", "schedule 09:00", SM)
    posts = len(slack.emulator.messages(CHANNEL))
    for day, hour in ((14, 7), (14, 8), (14, 12)):  # its reminder's time in any zone
        await at(slack, datetime(2026, 12, day, hour, 55, tzinfo=UTC))
    called = [shown(m) for m in slack.emulator.messages(CHANNEL)[posts:]]
    assert not any("*Sprint planning*" in m for m in called), called
    for day, hour in ((28, 7), (28, 8)):
        await at(slack, datetime(2026, 12, day, hour, 55, tzinfo=UTC))
    called = [shown(m) for m in slack.emulator.messages(CHANNEL)[posts:]]
    assert any("*Sprint planning* for sprint 4" in m for m in called), called


async def test_the_calendar_and_home_list_no_planning_for_the_sprint_committed_ahead(slack):
    await sprint_3_committed_ahead(slack)
    await cmd(slack, "/planning", "schedule 09:00", SM)
    await cmd(slack, "/timebox", "calendar", SM)
    listed = shown(last_ephemeral(slack, SM))
    plannings = [line for line in listed.split("\n") if "*Sprint planning*" in line]
    mon_14, mon_28 = (
        int(datetime(2026, 12, d, 12, tzinfo=UTC).timestamp()) // 86400 for d in (14, 28)
    )
    days = [int(t) // 86400 for line in plannings for t in re.findall(r"<!date\^(\d+)", line)]
    assert mon_14 not in days, plannings
    assert mon_28 in days, "the next one still is"
    await at(slack, datetime(2026, 12, 11, 12, 0, tzinfo=UTC))
    on_home = await home(slack, DEV1)
    assert "Sprint planning Mon 14 Dec" not in on_home, on_home
    assert "Sprint planning Mon 28 Dec" in on_home, "the next one still is"
