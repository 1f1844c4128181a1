"""QA: the planning's forecast is the velocity per working day times the working days the sprint
really has. Spain's team: sprint 1 (2-15 Dec, the 8th a holiday), planned a day late, did 13
points in 8 working days; sprint 2 (16-29 Dec, the 25th a holiday), planned on Friday 18, has 7:
its forecast is 13 / 8 * 7 = 11.4 points, not 13, on the card and in the commitment's record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.capacity import Capacity
from bot.emulator.stack import LocalStack
from handlers.blocks import sprints as sprint_blocks
from storage.models import Sprint
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import (
    channel_posts,
    close_sprint,
    cmd,
    commit_sprint,
    posted,
    setup,
)
from tests.conftest import CHANNEL, DEV1, PO


async def sprint_one_done(slack: LocalStack) -> None:
    """Sprint 1 planned on Thursday 3 December, a day into its slot: #1 (5) and #2 (8) done."""
    slack.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-12-02", PO)
    await cmd(slack, "/timebox", "settings country es", PO)
    slack.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    await commit_sprint(slack, 1, 2)
    committed = posted(slack, "*Sprint 1 is committed*")
    assert "planned 1 working day into its slot, it counts the 8 left" in committed, committed
    for number in (1, 2):
        await cmd(slack, "/sprint", f"done {number}", DEV1)
    slack.clock.set(datetime(2026, 12, 15, 15, 0, tzinfo=UTC))
    assert "velocity is now 13" in await close_sprint(slack, "Yes")


def last_card(slack: LocalStack) -> str:
    """The newest post in the thread of the newest planning meeting, as shown."""
    agenda = [m for m in channel_posts(slack) if "Sprint planning" in shown(m)][-1]
    return shown(slack.emulator.thread(CHANNEL, agenda.ts)[-1])


async def recorded_capacity(slack: LocalStack) -> dict[str, Any]:
    """The capacity kept with the running sprint at its commitment."""
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        [sprint] = await store.open_sprints(team.id)
    assert sprint.capacity is not None
    return sprint.capacity


async def test_the_forecast_counts_the_working_days_gone_and_the_holidays(slack):
    await sprint_one_done(slack)
    slack.clock.set(datetime(2026, 12, 18, 9, 0, tzinfo=UTC))  # Friday: 16 and 17 went by
    for step in ("start 1h", "add 3", "next", "next"):
        await cmd(slack, "/planning", step)
    capacity = last_card(slack)
    assert "3 developers × 7 working days (2 of its slot went by before planning)" in capacity
    assert (
        "*Velocity:* 13 points (what the last sprint completed) → *forecast* 11.4 points for "
        "this sprint's 7 working days (the last sprint had 8)." in capacity
    ), capacity
    assert "*forecast* 13 points" not in capacity
    assert "3 points in 1 item, 26% of the forecast" in capacity, capacity

    await cmd(slack, "/planning", "goal By the end we expect an audit log", PO)
    await cmd(slack, "/planning", "commit team")
    committed = posted(slack, "*Sprint 2 is committed*")
    assert "3 points against a forecast of 11.4 (26%)" in committed, committed
    recorded = await recorded_capacity(slack)
    assert recorded["forecast"] == pytest.approx(13 / 8 * 7) and recorded["velocity_days"] == 8

    await cmd(slack, "/sprint", "", DEV1)  # the sprint card and the Home tab give no forecast
    card = shown(last_ephemeral(slack, DEV1))
    assert "Fri 18 Dec to Tue 29 Dec · 7 working days left" in card, card
    assert "forecast" not in card.lower() and "forecast" not in (await home(slack, DEV1)).lower()


def test_several_sprints_say_their_average_working_days_and_days_off_their_availability():
    cap = Capacity(("UA", "UB", "UC"), 7, {"UA": 2}, velocity=14, velocity_days=26 / 3)
    status = sprint_blocks.plan_status(Sprint(number=5, status="planning"), [], cap, 3)
    assert (
        "*Velocity:* 14 points (average of the last 3 sprints) → *forecast* 10.2 points for "
        "this sprint's 7 working days (the last 3 sprints had 8.7 on average) at 90% "
        "availability." in status
    ), status
    same = Capacity(("UA",), 10, {}, velocity=13, velocity_days=10)
    status = sprint_blocks.plan_status(Sprint(number=2, status="planning"), [], same, 1)
    assert "→ *forecast* 13 points. _The velocity" in status, "the same days: nothing to say"
