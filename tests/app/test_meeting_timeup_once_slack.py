"""One time-up's +5 min acts once: its button names the alarm it was shown for (the section and
the end it announced), so a second click on it - a double click, or a second person reacting
to the same alarm on the message as they saw it - changes nothing and is told privately who
extended already; the time-up is redrawn without its +5. The agenda card's own +5 is a
deliberate further extension and still adds time. An extension during an overrun gives its
minutes from the click, and the card says the minutes run over beside it, so its text and the
clock agree."""

from __future__ import annotations

import copy

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import SM

EXTENDED = "+5 min for *Kick-off*"


def extension_notes(slack) -> int:
    return sum(EXTENDED in shown(m) for m in thread(slack))


def buttons(message) -> list[str]:
    return [
        e["text"]["text"]
        for block in message.blocks
        if block.get("type") == "actions"
        for e in block["elements"]
        if e.get("type") == "button"
    ]


async def test_a_time_ups_five_more_minutes_extend_once_however_often_clicked(slack):
    await setup_team(slack)
    await refine(slack, "start 60m")  # kick-off 5 min
    await tick(slack, 4)
    await tick(slack, 2)  # a minute over: the time-up is in the thread
    [up] = [m for m in thread(slack) if "Time is up for *Kick-off*" in shown(m)]
    seen = copy.deepcopy(up)  # the time-up as a second person saw it, before any click

    await slack.driver.click("+5 min", user=SM, message=up)
    assert extension_notes(slack) == 1
    await slack.driver.click("+5 min", user=SM, message=seen)  # the same alarm, clicked again
    assert extension_notes(slack) == 1, "one alarm's +5 extends once"
    assert "Extended already by <@" in shown(last_ephemeral(slack, SM))
    card = shown(agenda_message(slack))
    assert "*Kick-off* · 5 + 5 min" in card, card

    redrawn = next(m for m in thread(slack) if m.ts == up.ts)
    assert buttons(redrawn) == ["Next section", "Pause", "End meeting"], buttons(redrawn)
    assert "took 5 more minutes for *Kick-off*" in shown(redrawn)

    await slack.driver.click("+5 min", user=SM, message=agenda_message(slack))
    assert extension_notes(slack) == 2, "the agenda card's +5 is a further extension"
    assert "*Kick-off* · 5 + 10 min" in shown(agenda_message(slack))


async def test_an_extension_in_overrun_counts_from_the_click_and_the_card_says_so(slack):
    """Five more minutes to talk, as people read "+5 min" at an alarm: the section ends five
    minutes after the click, and the card adds the minute run over to its 5 + 5 min."""
    await setup_team(slack)
    await refine(slack, "start 60m")
    await tick(slack, 6)  # a minute over
    up = thread(slack)[-1]
    await slack.driver.click("+5 min", user=SM, message=up)
    card = shown(agenda_message(slack))
    assert "*Kick-off* · 5 + 5 min · 5 min left" in card, card
    assert "1 min over before its extension" in card, card
    await tick(slack, 4.5)
    assert "Time is up for *Kick-off*" not in shown(thread(slack)[-1])
    await tick(slack, 0.5)
    assert "Time is up for *Kick-off*" in shown(thread(slack)[-1]), "11 min: 5 + 1 over + 5"
    await refine(slack, "next")
    assert "~Kick-off~ · 5 + 5 min (took 11 min) · 1 min over before its extension" in shown(
        agenda_message(slack)
    )
