"""A refinement session end to end, on an injected clock, through the Slack emulator."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_ready_slack import READY
from tests.conftest import CHANNEL, DEV1, PO, SM, roles


async def refine(slack: LocalStack, text: str, user: str = SM) -> None:
    ack = await slack.driver.command("/refine", text, user=user, channel=CHANNEL)
    assert ack.status == 200


def agenda_message(slack: LocalStack):
    """The meeting's agenda message: the first top-level message with a header."""
    return next(
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and m.blocks[0].get("type") == "header" and not m.thread_ts
    )


def thread(slack: LocalStack) -> list:
    return slack.emulator.thread(CHANNEL, agenda_message(slack).ts)[1:]


async def tick(slack: LocalStack, minutes: float) -> None:
    slack.clock.advance(timedelta(minutes=minutes))
    await slack.services.jobs.run_due()
    await slack.settle()


async def setup_team(slack: LocalStack) -> None:
    await roles(slack)
    for title in ("Checkout redesign", "Export invoices", "Fix login bug"):
        await backlog(slack, f"add {title}", user=DEV1)


async def test_a_whole_refinement_session_from_start_to_minutes(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    agenda = shown(agenda_message(slack))
    assert "Backlog refinement" in agenda
    assert "*Kick-off* · 4 min" in agenda and "Triage new items · 15 min" in agenda
    assert "Deep dive · 19 min" in agenda and "Wrap-up · 7 min" in agenda
    [kickoff] = thread(slack)
    assert "Triage will look at 3 new items" in shown(kickoff)

    # Kick-off: the facilitator states the goal; the warning comes at 80% of the section.
    await slack.driver.click("Set the session goal", user=SM, message=kickoff)
    await slack.driver.submit(
        slack.emulator.open_view(SM),
        {"What is this session for?": "Get checkout ready"},
        user=SM,
    )
    assert "*Goal:* Get checkout ready" in shown(agenda_message(slack))
    await tick(slack, 3)
    assert "1 min left in *Kick-off*" in shown(thread(slack)[-1])

    # Triage: the PO places items; a developer may keep one but not reorder.
    await refine(slack, "next")
    card = thread(slack)[-1]
    assert "*Triage 1 of 3: #1* Checkout redesign" in shown(card)
    await slack.driver.select("Type", "Enabler", user=PO, message=card)
    card = slack.emulator.find_message(CHANNEL, card.ts)
    await slack.driver.select("MoSCoW priority", "Must have", user=PO, message=card)
    card = slack.emulator.find_message(CHANNEL, card.ts)  # redrawn for everyone: the choices
    assert "Enabler · Must have" in shown(card), shown(card)
    await slack.driver.click("Top", user=PO, message=card)
    assert "#1* Checkout redesign: to the top by" in shown(
        slack.emulator.find_message(CHANNEL, card.ts)
    )
    card = thread(slack)[-1]
    assert "*Triage 2 of 3: #2* Export invoices" in shown(card)
    await slack.driver.click("Archive", user=DEV1, message=card)
    assert "Only the Product Owner" in last_ephemeral(slack, DEV1).text
    await slack.driver.click("Keep", user=DEV1, message=card)
    card = thread(slack)[-1]
    await slack.driver.click("Bottom", user=PO, message=card)
    assert "Nothing new left to triage" in shown(thread(slack)[-1])

    # Time is up in triage: +5 min is recorded, then the team moves on from the same message.
    await tick(slack, 15)
    up = thread(slack)[-1]
    assert "Time is up for *Triage new items*" in shown(up)
    await slack.driver.click("+5 min", user=SM, message=up)
    assert "+5 min for *Triage new items*" in shown(thread(slack)[-1])
    await slack.driver.click("Next section", user=SM, message=up)
    await slack.driver.click("Next section", user=SM, message=up)  # a double click
    assert "*Deep dive* · 19 min" in shown(agenda_message(slack)), "moved exactly once"

    # Deep dive: the top unready items, each with its fix.
    dives = [m for m in thread(slack) if "Deep dive" in shown(m)]
    assert "*Deep dive 1 of 3: #1* Checkout redesign" in shown(dives[0])
    await slack.driver.click("Write hypothesis", user=PO, message=dives[0])
    await slack.driver.submit(slack.emulator.open_view(PO), READY, user=PO)

    # Wrap-up: what became ready, an action item with its owner, the next session's date.
    await refine(slack, "next")
    await refine(slack, f"note ask UX about the checkout flow <@{DEV1}|diana>", user=DEV1)
    wrap = [m for m in thread(slack) if "Wrap-up" in shown(m)][-1]
    assert "Ready now: *#1* Checkout redesign" in shown(wrap)
    await slack.driver.select("Next session", "2026-03-09", user=SM, message=wrap)
    await refine(slack, "end")

    minutes = shown(thread(slack)[-1])
    assert (
        "*Minutes of the Backlog refinement*" in minutes and "*Goal:* Get checkout ready" in minutes
    )
    assert "• Kick-off: 3 min of 4" in minutes
    assert "• Triage new items: 15 min of 15 (+5 min extension)" in minutes
    assert "*Triaged:* 3 (#1 to the top, #2 kept in place, #3 to the bottom)" in minutes
    assert "*Refined:* 1 (#1) · *Estimated:* 1 (#1: 3 pts)" in minutes
    assert "*Ready items:* 0 before, 1 after; ready now: #1 Checkout redesign" in minutes
    assert f"ask UX about the checkout flow (<@{DEV1}>)" in minutes
    assert "*Next session:* Monday 9 March 2026" in minutes
    assert "Backlog refinement · ended" in shown(agenda_message(slack))
    # Triage wrote through to the backlog: order, type, priority.
    listing = shown(await backlog(slack))
    assert listing.index("#1* Checkout redesign") < listing.index("#3* Fix login bug")
    assert "Enabler" in listing

    await refine(slack, "history")
    history = last_ephemeral(slack, SM)
    assert "Get checkout ready" in shown(history)
    await slack.driver.click("Minutes of 02 Mar", user=SM, message=history)
    opened = shown(last_ephemeral(slack, SM))
    assert "*Minutes of the Backlog refinement*" in opened
    assert "Held <!date^" in opened and "|2026-03-02 " in opened, "dated, in the reader's zone"


async def test_only_the_facilitator_or_a_scrum_master_runs_the_clock(slack):
    await setup_team(slack)
    await refine(slack, "start", user=DEV1)
    await refine(slack, "next", user=PO)
    assert "Only the facilitator or a Scrum Master can move the meeting on" in (
        last_ephemeral(slack, PO).text
    )
    await refine(slack, "next", user=SM)
    assert "*Triage new items* · 20 min" in shown(agenda_message(slack))
    await refine(slack, "start", user=SM)
    assert "already running in this channel" in last_ephemeral(slack, SM).text


async def test_pause_stops_the_clock_and_resume_carries_on(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await tick(slack, 2)
    await refine(slack, "pause")
    assert "paused with 3 min left" in shown(agenda_message(slack))
    await tick(slack, 30)
    assert not any("Time is up" in shown(m) for m in thread(slack)), "no timers while paused"
    await refine(slack, "resume")
    await tick(slack, 2)
    assert "1 min left in *Kick-off*" in shown(thread(slack)[-1])
    await tick(slack, 1)
    assert "Time is up for *Kick-off*" in shown(thread(slack)[-1])


async def test_auto_advance_moves_on_at_time_up(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await refine(slack, "auto on")
    await tick(slack, 5)
    assert "*Triage new items* · 20 min" in shown(agenda_message(slack))


async def test_a_restart_mid_section_keeps_the_time_and_announces_once(slack, db, clock):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await tick(slack, 3)
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        clock.advance(timedelta(minutes=10))  # the section ended while nothing ran
        await restarted.services.jobs.run_due()
        await restarted.settle()
        await restarted.services.jobs.run_due()
        await restarted.settle()
        ups = [m for m in thread(slack) if "Time is up for *Kick-off*" in shown(m)]
        warnings = [m for m in thread(slack) if "left in *Kick-off*" in shown(m)]
        assert len(ups) == 1 and len(warnings) == 0
        await restarted.driver.click("Next section", user=SM, message=ups[0])
        assert "*Triage new items* · 20 min" in shown(agenda_message(slack))
    finally:
        await restarted.stop()


async def test_a_custom_agenda_by_form_and_yaml_and_a_broken_one_refused(slack):
    await setup_team(slack)
    await refine(slack, "agenda", user=PO)
    view = last_ephemeral(slack, PO)
    assert "the built-in agenda" in shown(view)
    await slack.driver.click("Replace with YAML", user=PO, message=view)
    form = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(
        form, {"Agenda": "name: Quick\nsections:\n  - title: Only\n    minutes: zero\n"}, user=PO
    )
    assert "line 4: sections[1].minutes must be a positive number" in json.dumps(ack.json)
    await slack.driver.submit(
        form,
        {
            "Agenda": "name: Quick sync\nminutes: 30\nsections:\n  - title: Look\n    minutes: 10\n"
            "  - title: Fix\n    minutes: 20\n    actions: [deep_dive]\n"
        },
        user=PO,
    )
    assert "this channel's own agenda" in shown(last_ephemeral(slack, PO))
    await slack.driver.click(
        "Edit lengths and purposes", user=PO, message=last_ephemeral(slack, PO)
    )
    await slack.driver.submit(
        slack.emulator.open_view(PO),
        {"1. Look (minutes)": "15", "1. Purpose": "Scan it"},
        user=PO,
    )
    await refine(slack, "start")
    agenda = shown(agenda_message(slack))
    assert "Quick sync" in agenda and "*Look* · 15 min" in agenda and "Fix · 20 min" in agenda
    await refine(slack, "end")
    await slack.driver.share_file(PO, CHANNEL, "broken.yml", b"name: [oops\n", "yaml")
    refused = [m for m in slack.emulator.messages(CHANNEL) if "broken.yml" in m.text]
    assert refused and "was not taken as an agenda: line" in refused[-1].text


async def test_the_deep_dive_starts_a_poker_round_on_an_item(slack):
    await setup_team(slack)
    await refine(slack, "start")
    await refine(slack, "next")
    await refine(slack, "next")
    [first, *_] = [m for m in thread(slack) if "Deep dive 1 of" in shown(m)]
    await slack.driver.click("Estimate", user=SM, message=first)
    boards = [m for m in slack.emulator.messages(CHANNEL) if "Planning poker" in shown(m)]
    assert len(boards) == 1 and "Checkout redesign" in shown(boards[0])
    assert f"<@{SM}> started estimating #1" in shown(thread(slack)[-1])


async def test_extend_adds_the_minutes_said_else_five(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    await refine(slack, "extend 10m")
    assert "+10 min for *Kick-off*" in shown(thread(slack)[-1])
    await refine(slack, "extend")
    assert "+5 min for *Kick-off*" in shown(thread(slack)[-1])


async def test_the_history_of_two_sessions_on_one_day_offers_the_minutes_of_each(slack):
    """Two refinements on one day: the history answers (before, Slack refused its buttons as
    one repeated action id), each button by its time in the team's zone, each its own minutes."""
    await setup_team(slack)
    for goal in ("Morning session", "Afternoon session"):
        await refine(slack, "start 30m")
        await refine(slack, f"goal {goal}")
        await refine(slack, "end")
        slack.clock.advance(timedelta(hours=3))
    await refine(slack, "history")
    history = last_ephemeral(slack, SM)
    labels = [
        e["text"]["text"] for b in history.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Minutes of 02 Mar 13:00", "Minutes of 02 Mar 10:00"], labels
    await slack.driver.click("Minutes of 02 Mar 10:00", user=SM, message=history)
    assert "*Goal:* Morning session" in shown(last_ephemeral(slack, SM))


async def test_the_wrap_up_offers_a_day_to_come_and_refuses_one_gone_or_off(slack):
    await setup_team(slack)
    await refine(slack, "start 30m")
    for _ in range(3):
        await refine(slack, "next")
    wrap = [m for m in thread(slack) if "Wrap-up" in shown(m)][-1]
    picker = next(
        e
        for b in wrap.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if "initial_date" in e
    )
    assert picker["initial_date"] == "2026-03-09", "a week on, a Monday the team works"
    await slack.driver.select("Next session", "2026-03-01", user=SM, message=wrap)
    assert "Sunday 1 March has passed" in shown(last_ephemeral(slack, SM))
    await slack.driver.select("Next session", "2026-03-07", user=SM, message=wrap)
    assert "Saturday 7 March is a day the team does not work" in shown(last_ephemeral(slack, SM))
    assert "*Next session:*" not in shown(slack.emulator.find_message(CHANNEL, wrap.ts))
