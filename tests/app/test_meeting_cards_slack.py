"""Issue 13, points 8 and 10: a meeting's cards stay true to what happened (no stale buttons
once it ends, a deep dive redrawn when its item changes, the picked date shown, answers in its
thread), section times with their unit, and agenda form errors in plain words."""

from __future__ import annotations

import json
from typing import Any

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_planning_slack import setup as planning_setup
from tests.app.test_planning_slack import thread as planning_thread
from tests.app.test_ready_slack import READY
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import CHANNEL, DEV1, PO, SM

INTERACTIVE = {"button", "static_select", "datepicker", "users_select", "overflow"}


def pressable(message: Any) -> list[str]:
    """What can still be pressed or picked on a message."""
    found = []
    for block in message.blocks:
        if block.get("type") == "actions":
            found += [e.get("type", "?") for e in block.get("elements", [])]
        accessory = block.get("accessory") or {}
        if accessory.get("type") in INTERACTIVE:
            found.append(accessory["type"])
    return found


def card(slack, text: str) -> Any:
    return next(m for m in thread(slack) if text in shown(m))


async def test_an_ended_meetings_cards_lose_their_buttons_and_say_it_ended(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")
    await tick(slack, 5)  # the kick-off's time is up
    up = card(slack, "Time is up for *Kick-off*")
    assert pressable(up), "the time-up card has the clock's buttons"
    await refine(slack, "next")
    assert "~Kick-off~ · 5 min (took 5 min)" in shown(agenda_message(slack)), "with its unit"
    await refine(slack, "next")
    await refine(slack, "next")
    triage, dive, wrap = (
        card(slack, "Triage 1 of 3"),
        card(slack, "Deep dive 1 of 3"),
        card(slack, "Wrap-up"),
    )
    assert all(pressable(m) for m in (triage, dive, wrap))
    await refine(slack, "end")

    cards = [m for m in thread(slack) if "The meeting has ended" in shown(m)]
    assert {m.ts for m in (up, triage, dive, wrap)} <= {m.ts for m in cards}
    assert [m for m in thread(slack) if pressable(m)] == [], "nothing left to press"
    assert "*Triage 1 of 3: #1* Checkout redesign" in shown(
        slack.emulator.find_message(CHANNEL, triage.ts)
    ), "each card keeps what it said"
    assert "*Minutes of the Backlog refinement*" in shown(thread(slack)[-1])
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    assert [m for m in thread(slack) if pressable(m)] == [], "the next session leaves it alone"


async def test_a_deep_dive_card_is_redrawn_when_its_item_becomes_ready(slack):
    await setup_team(slack)
    await refine(slack, "start")
    await refine(slack, "next")
    await refine(slack, "next")
    dive = card(slack, "Deep dive 1 of 3")
    assert "Ready now" not in shown(dive) and "no value hypothesis" in shown(dive)
    await slack.driver.click("Write hypothesis", user=PO, message=dive)
    await slack.driver.submit(slack.emulator.open_view(PO), READY, user=PO)
    redrawn = slack.emulator.find_message(CHANNEL, dive.ts)
    assert "*Deep dive 1 of 3: #1* Checkout redesign" in shown(redrawn)
    assert ":white_check_mark: Ready now." in shown(redrawn) and "no value" not in shown(redrawn)
    saved = last_ephemeral(slack, PO)
    assert "#1" in shown(saved)
    assert saved.thread_ts == agenda_message(slack).ts, "the confirmation is in the thread"
    other = card(slack, "Deep dive 2 of 3")
    assert slack.emulator.find_message(CHANNEL, other.ts).edits == 0, "the others stay"


async def test_the_wrap_up_shows_the_saved_date_and_answers_go_in_the_thread(slack):
    await setup_team(slack)
    await refine(slack, "start")
    for _ in range(3):
        await refine(slack, "next")
    wrap = card(slack, "Wrap-up")
    await slack.driver.select("Next session", "2026-03-09", user=DEV1, message=wrap)
    redrawn = slack.emulator.find_message(CHANNEL, wrap.ts)
    assert "*Next session:* Monday 9 March 2026" in shown(redrawn)
    [picker] = [
        e for b in redrawn.blocks for e in b.get("elements", []) if e.get("type") == "datepicker"
    ]
    assert picker["initial_date"] == "2026-03-09", "everyone's picker shows the saved date"
    # A refused click on a meeting card is answered in the meeting's thread.
    await slack.driver.click("End meeting", user=DEV1, message=redrawn)
    refusal = last_ephemeral(slack, DEV1)
    assert "Only the facilitator or a Scrum Master can end the meeting" in refusal.text
    assert refusal.thread_ts == agenda_message(slack).ts
    await refine(slack, "end")
    assert "*Next session:* Monday 9 March 2026" in shown(thread(slack)[-1])
    ended = slack.emulator.find_message(CHANNEL, wrap.ts)
    assert "*Next session:* Monday 9 March 2026" in shown(ended) and not pressable(ended)


async def test_a_broken_agenda_is_refused_in_plain_words(slack):
    await setup_team(slack)
    await refine(slack, "agenda", user=PO)
    await slack.driver.click("Replace with YAML", user=PO, message=last_ephemeral(slack, PO))
    form = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(form, {"Agenda": "name: [oops\n"}, user=PO)
    [error] = ack.json["errors"].values()
    assert error.startswith("line 1: this is not valid YAML: expected “,” or “]”")
    assert "'" not in error and "<stream end>" not in error, json.dumps(ack.json)
    ack = await slack.driver.submit(form, {"Agenda": "name: x\nminutes: !!int x\n"}, user=PO)
    [error] = ack.json["errors"].values()
    assert "a value cannot be read" in error and "Error" not in error, error


async def test_a_task_form_refusal_quotes_no_python(slack):
    await planning_setup(slack)
    await cmd(slack, "/planning", "start")
    await cmd(slack, "/planning", "next")
    await slack.driver.click("Choose items", user=DEV1, message=planning_thread(slack)[-1])
    await slack.driver.submit(slack.emulator.open_view(DEV1), {}, user=DEV1)
    await cmd(slack, "/planning", "next")
    await cmd(slack, "/planning", "next")
    await slack.driver.click("Tasks", user=DEV1, message=planning_thread(slack)[-1])
    ack = await slack.driver.submit(
        slack.emulator.open_view(DEV1), {"Tasks, one per line with hours": "Design it"}, user=DEV1
    )
    error = ack.json["errors"]["tasks"]
    assert "Not understood: “Design it”" in error and "'" not in error, error
