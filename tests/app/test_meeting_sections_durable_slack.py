"""A new section's cards are recorded with the step that opens it (a start, a `next`, a timer's
auto-advance), as a job the Slack side runs at once: when that fails (the bot's id or the
channel's people not to be had from Slack), or the process dies after the step commits, the
job runner opens the section, once. And what a step tells the meeting (its minutes, the
channel's notice) goes before any other Slack call that may fail.

Before, the cards were recorded in a transaction of their own, after the step had committed
and after those Slack calls: a failure there, or a crash, moved the meeting on with its
section's cards never posted nor recorded; and an ended meeting's cards were closed (auth.test
first) before its minutes were sent, so an auth.test failure held them for the outbox's
ten-minute settle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from bot.usecases import meetings as meetings_uc
from bot.usecases.unit import Actor
from handlers.flows import meetings as meeting_flow
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import open_meeting
from tests.app.test_meeting_posts_durable_slack import saying, sweep, top_level
from tests.app.test_planning_slack import cmd
from tests.app.test_planning_slack import setup as planning_team
from tests.app.test_planning_slack import thread as planning_thread
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import CHANNEL, SM

SELECTION = "#1 Export invoices, #2 Dark mode, #3 Audit log"  # the selection section's card
GOAL = "Write the sprint goal"  # the goal section's card


@pytest.fixture(autouse=True)
def bot_id_asked_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's id is asked of Slack (auth.test) once per token and process: asked afresh
    here, so that a failure planned for it is met."""
    monkeypatch.setattr(meeting_flow, "_bot_users", {})


def people_fail(slack: LocalStack) -> None:
    """The channel's people not to be had: conversations.members' connection dropped on each
    of the client's three tries, each sent twice (aiohttp tries a dropped kept-alive
    connection once more). A Slack API error would count nobody in, and fail nothing."""
    slack.emulator.disconnect_next("conversations.members", times=6)


def bot_id_fails(slack: LocalStack) -> None:
    """The bot's id not to be had (auth.test refused), asked afresh."""
    meeting_flow._bot_users.clear()
    slack.emulator.fail_next("auth.test", status=200, error="fatal_error")


FAULTS = [pytest.param(people_fail, id="members"), pytest.param(bot_id_fails, id="auth")]


async def jobs(slack: LocalStack, kind: str) -> list[Any]:
    async with slack.db.transaction() as store:
        return list(await store.jobs(kind))


async def step_only(slack: LocalStack, op: str, request: str, **options: Any) -> None:
    """A facilitator's step, the use case only: no Slack side (the agenda message, the posts,
    the new section's cards), as when the process dies as the step commits."""

    async def anyone(channel: str, user: str) -> bool:
        return True

    actor = Actor("T0TEAM", CHANNEL, SM, request=request)
    await meetings_uc.step(slack.services, actor, op, anyone, **options)


async def test_the_triage_and_deep_dive_cards_come_after_a_crash_right_after_the_step(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await step_only(slack, "next", "crashed-next-1")
    assert saying(thread(slack), "*Triage 1 of 3: #1*") == []
    slack.clock.advance(meetings_uc.OPEN_AFTER + timedelta(seconds=1))
    await sweep(slack)
    assert len(saying(thread(slack), "*Triage 1 of 3: #1*")) == 1

    await step_only(slack, "next", "crashed-next-2")
    assert not [m for m in thread(slack) if "Deep dive" in shown(m)]
    slack.clock.advance(meetings_uc.OPEN_AFTER + timedelta(seconds=1))
    await sweep(slack)
    [card] = [
        m for m in thread(slack) if "Checkout redesign" in shown(m) and "Deep dive" in shown(m)
    ]
    assert (await open_meeting(slack)).data["deep_dives"]["1"][0] == card.ts, "kept to redraw"
    slack.clock.advance(timedelta(minutes=1))
    await sweep(slack)
    assert len(saying(thread(slack), "*Triage 1 of 3: #1*")) == 1, "once"


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_sections_cards_come_when_slack_fails_at_the_step_that_opens_it(slack, fault):
    await planning_team(slack)
    await cmd(slack, "/planning", "start 1h")
    fault(slack)
    await cmd(slack, "/planning", "next")
    assert (await open_meeting(slack)).section == 1, "the section moved on"
    assert saying(planning_thread(slack), SELECTION) == [], "not opened at once"
    await sweep(slack)  # the job runner's next sweep, at once: no time passes
    assert len(saying(planning_thread(slack), SELECTION)) == 1
    slack.clock.advance(meetings_uc.OPEN_AFTER + timedelta(seconds=1))
    await sweep(slack)
    assert len(saying(planning_thread(slack), SELECTION)) == 1, "once"


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_sections_cards_come_when_slack_fails_as_its_timer_moves_on(slack, fault):
    await planning_team(slack)
    await cmd(slack, "/planning", "start 1h")
    await step_only(slack, "auto", "auto-on", kind="planning", flag=True)  # no command says it
    fault(slack)
    await tick(slack, 9)  # the goal's 15% of the hour is up: the timer moves on, opens it
    assert (await open_meeting(slack)).section == 1, "the section moved on"
    assert len(saying(planning_thread(slack), SELECTION)) == 1
    [opening] = [j for j in await jobs(slack, meetings_uc.OPEN) if j.key.endswith(":1")]
    assert opening.attempts == 1, "not opened at once: the job runner opened it, in that sweep"
    await tick(slack, 1)
    assert len(saying(planning_thread(slack), SELECTION)) == 1, "once"


@pytest.mark.parametrize("fault", FAULTS)
async def test_the_first_sections_cards_come_when_slack_fails_as_the_meeting_starts(slack, fault):
    await planning_team(slack)
    fault(slack)
    await cmd(slack, "/planning", "start 1h")
    assert saying(planning_thread(slack), GOAL) == [], "not opened at once"
    await sweep(slack)
    assert len(saying(planning_thread(slack), GOAL)) == 1
    slack.clock.advance(meetings_uc.OPEN_AFTER + timedelta(seconds=1))
    await sweep(slack)
    assert len(saying(planning_thread(slack), GOAL)) == 1, "once"


async def test_auth_test_failing_holds_neither_the_minutes_nor_the_notice(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    await refine(slack, "next")
    bot_id_fails(slack)  # closing the ended meeting's cards asks for the bot's id
    await refine(slack, "end")
    assert "Ended after" in shown(agenda_message(slack))
    assert len(saying(thread(slack), "*Minutes of the ")) == 1, "at once, not after the settle"
    assert len(saying(top_level(slack), "has ended")) == 1
