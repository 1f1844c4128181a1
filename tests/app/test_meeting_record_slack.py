"""What a meeting's record says, through the real app on an injected clock: the time it ran
(pauses not counted) in its minutes and in the refinement budget, its planned total as its
agenda has it, the running meeting named with its own commands, triage cards that stop with
their section, and the next scheduled session."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread
from tests.app.test_refinement_budget_slack import team_with_sprint
from tests.conftest import CHANNEL, DEV1, PO, SM


async def minutes_of(slack: LocalStack) -> str:
    """The last meeting's minutes, from its thread."""
    await slack.settle()
    agendas = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and m.blocks[0].get("type") == "header" and not m.thread_ts
    ]
    text = shown(slack.emulator.thread(CHANNEL, agendas[-1].ts)[-1])
    assert "*Minutes of the " in text, text
    return text


def raw(message: Any) -> str:
    """A message as Slack receives it (escapes left as they are)."""
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


async def test_paused_time_counts_neither_in_the_minutes_nor_in_the_budget(slack):
    await team_with_sprint(slack)
    await refine(slack, "start 45m")
    await refine(slack, "next")
    slack.clock.advance(timedelta(minutes=10))
    await refine(slack, "pause")
    slack.clock.advance(timedelta(minutes=30))
    await refine(slack, "resume")
    await refine(slack, "end")
    minutes = await minutes_of(slack)
    # 10 minutes ran: 0.2 hours, not the 40 minutes from start to end.
    assert "*Refinement budget, sprint 1:* 0.2h in 1 session of 8h" in minutes
    assert "(10 min of 45 planned)" in minutes
    assert "Ended after 10 min (planned 45)" in shown(agenda_message(slack))
    health = shown(await backlog(slack, "health", user=SM))
    assert "*Refinement budget, sprint 1:* 0.2h in 1 session" in health
    assert "0.2h in 1 session" in await home(slack, SM)


async def test_the_minutes_say_the_planned_total_and_the_extensions_as_the_agenda_does(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    await refine(slack, "next")
    await refine(slack, "extend")
    slack.clock.advance(timedelta(minutes=10))
    await refine(slack, "end")
    minutes = await minutes_of(slack)
    assert "(10 min of 45 planned, 5 added)" in minutes
    assert "• Triage new items: 10 min of 15 (+5 min extension)" in minutes
    assert "• Deep dive: not reached (19 min planned)" in minutes
    assert "Ended after 10 min (planned 45, 5 added)" in shown(agenda_message(slack))


async def test_a_custom_agendas_minutes_say_its_whole_plan(slack):
    await setup_team(slack)
    await refine(slack, "agenda", user=PO)
    await slack.driver.click("Replace with YAML", user=PO, message=last_ephemeral(slack, PO))
    agenda = (
        "name: Quick sync\nminutes: 10\nsections:\n  - title: Look\n    minutes: 5\n"
        "  - title: Fix\n    minutes: 5\n"
    )
    await slack.driver.submit(slack.emulator.open_view(PO), {"Agenda": agenda}, user=PO)
    await refine(slack, "start")
    await refine(slack, "end")
    minutes = await minutes_of(slack)
    assert "(under a minute of 10 planned)" in minutes
    assert "• Fix: not reached (5 min planned)" in minutes


async def test_a_running_meeting_is_named_with_its_own_commands_and_a_real_mention(slack):
    await team_with_sprint(slack)
    await slack.driver.command("/review", "start", user=SM, channel=CHANNEL)
    assert "Sprint review" in shown(agenda_message(slack))
    for command in ("/refine", "/planning"):
        await slack.driver.command(command, "start", user=DEV1, channel=CHANNEL)
        refusal = raw(last_ephemeral(slack, DEV1))
        assert "A sprint review is already running in this channel" in refusal
        assert f"(facilitated by <@{SM}>)" in refusal, refusal
        assert "&lt;@" not in refusal
        assert "`/review status` shows it, `/review end` ends it" in refusal
        assert "/refine status" not in refusal
    for _ in range(2):
        await slack.driver.command("/review", "pause", user=SM, channel=CHANNEL)
    assert "`/review resume` carries on" in shown(last_ephemeral(slack, SM))


async def test_a_triage_card_after_its_section_changes_nothing_and_says_so(slack):
    await setup_team(slack)
    await refine(slack, "start")
    await refine(slack, "next")
    card = next(m for m in thread(slack) if "Triage 1 of 3" in shown(m))
    await refine(slack, "next")
    posted = len(thread(slack))
    await slack.driver.click("Keep", user=PO, message=card)
    assert "Triage is over: the meeting is in “Deep dive”" in shown(last_ephemeral(slack, PO))
    await slack.driver.select("MoSCoW priority", "Must have", user=PO, message=card)
    assert "Triage is over" in shown(last_ephemeral(slack, PO))
    assert len(thread(slack)) == posted, "no next triage card during the deep dive"
    assert not any("Triage 2 of 3" in shown(m) for m in thread(slack))
    listing = shown(await backlog(slack))
    assert "Must" not in listing
    await refine(slack, "end")
    assert "*Triaged:* 0" in await minutes_of(slack)


async def test_the_minutes_name_the_next_scheduled_session(slack):
    await setup_team(slack)
    await slack.driver.command("/refine", "schedule tue 15:00", user=SM, channel=CHANNEL)
    await refine(slack, "start")
    slack.clock.advance(timedelta(minutes=30))
    await refine(slack, "end")
    minutes = await minutes_of(slack)
    # Tuesday 3 March 2026, 15:00 in Berlin (the PO's zone): 14:00 UTC.
    assert "*Next session:* <!date^1772546400^" in minutes, minutes
    assert "not set" not in minutes

    # That Tuesday's session, started ten minutes early from its reminder: the next is a week on.
    slack.clock.advance(timedelta(days=1, hours=5, minutes=20))  # Tuesday 14:50 in Berlin
    await refine(slack, "start")
    slack.clock.advance(timedelta(minutes=5))
    await refine(slack, "end")
    assert "*Next session:* <!date^1773151200^" in await minutes_of(slack)
