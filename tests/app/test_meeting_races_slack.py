"""Two people step a meeting's clock at the same moment: it moves on once, and whoever lost the
race is told privately, never in the meeting's thread."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agendas import engine
from bot.emulator.stack import LocalStack
from bot.usecases import meetings
from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import agenda_message, setup_team, thread
from tests.app.test_review_slack import sprint_with_done_items
from tests.conftest import CHANNEL, PO, SM

MOVED_ON = "Someone moved on already"
FIRST_TWO = {
    "/refine": ("Kick-off", "Triage new items"),
    "/planning": ("Why - the sprint goal", "What - selection"),
    "/review": ("The increment", "The sprint goal"),
}


async def typed(slack: LocalStack, command: str, text: str, user: str) -> None:
    ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
    assert ack.status == 200


def said_in_thread(slack: LocalStack, words: str) -> list:
    return [m for m in thread(slack) if words in shown(m)]


@pytest.fixture
def read_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two typed steps arrive at the same moment: each reads the section running before either
    moves on (the second read is let through only once the first one is done too)."""
    read = meetings.section_now
    both = asyncio.Barrier(2)

    async def at_once(*args: Any) -> int:
        section = await read(*args)
        await asyncio.wait_for(both.wait(), timeout=10)
        return section

    monkeypatch.setattr(meetings, "section_now", at_once)


@pytest.mark.parametrize("command", ["/refine", "/planning", "/review"])
async def test_two_typed_nexts_at_once_move_on_one_section(slack, command, read_together):
    """The facilitator and the Scrum Master type `next` together in the first section: the
    meeting is in its second section, not its third, and the one who lost hears it privately
    with the section now running."""
    await (sprint_with_done_items if command == "/review" else setup_team)(slack)
    await typed(slack, command, "start", PO)
    first, second = FIRST_TWO[command]
    assert f":arrow_forward: *{first}*" in shown(agenda_message(slack))
    await asyncio.gather(typed(slack, command, "next", PO), typed(slack, command, "next", SM))
    await slack.settle()
    agenda = shown(agenda_message(slack))
    assert f":arrow_forward: *{second}*" in agenda, f"moved on once, from {first}: {agenda}"
    told = [
        e.text
        for user in (PO, SM)
        for e in slack.emulator.ephemerals(CHANNEL, user)
        if MOVED_ON in e.text
    ]
    assert len(told) == 1 and f"*{second}* is running now" in told[0], told
    assert said_in_thread(slack, MOVED_ON) == []


async def test_a_typed_extend_read_before_someone_moved_on_extends_nothing(slack, monkeypatch):
    """Paula's `extend 10` is read in the kick-off; Sam's `next` moves on before it goes in:
    the kick-off is over, the triage keeps its time and Paula is told privately."""
    await setup_team(slack)
    await typed(slack, "/refine", "start", PO)
    read, go, section_now = asyncio.Event(), asyncio.Event(), meetings.section_now

    async def held(*args: Any) -> int:
        section = await section_now(*args)
        read.set()
        await asyncio.wait_for(go.wait(), timeout=10)
        return section

    monkeypatch.setattr(meetings, "section_now", held)
    extend = asyncio.create_task(typed(slack, "/refine", "extend 10", PO))
    await asyncio.wait_for(read.wait(), timeout=10)
    async with slack.db.transaction() as store:  # Sam's `next`, done meanwhile
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        meeting = await store.open_meeting(team.id)
        assert meeting is not None and await engine.advance(store, meeting, slack.clock.now())
    go.set()
    await extend
    await slack.settle()
    assert ":arrow_forward: *Triage new items* · 20 min ·" in shown(agenda_message(slack))
    late = slack.emulator.ephemerals(CHANNEL, PO)[-1].text
    assert "That section is over already: *Triage new items* is running now" in late
    assert said_in_thread(slack, "over already") == []


async def test_three_next_clicks_at_once_move_on_once_and_the_late_are_told_privately(slack):
    await setup_team(slack)
    await typed(slack, "/refine", "start", PO)
    agenda = agenda_message(slack)
    await asyncio.gather(
        *(slack.driver.click("Next section", user=u, message=agenda) for u in (PO, SM, PO))
    )
    await slack.settle()
    assert ":arrow_forward: *Triage new items*" in shown(agenda_message(slack))
    told = [e for u in (PO, SM) for e in slack.emulator.ephemerals(CHANNEL, u)]
    late = [e for e in told if MOVED_ON in e.text]
    assert len(late) == 2 and all("*Triage new items* is running now" in e.text for e in late)
    assert said_in_thread(slack, MOVED_ON) == []


async def test_a_stale_next_on_the_private_status_card_is_answered_privately(slack):
    """`/planning status` shows the clicker a card with Next section; the meeting moves on
    meanwhile: the click changes nothing and only the clicker hears why."""
    await setup_team(slack)
    await typed(slack, "/planning", "start", PO)
    await typed(slack, "/planning", "status", SM)
    card = slack.emulator.ephemerals(CHANNEL, SM)[-1]
    await typed(slack, "/planning", "next", PO)
    await slack.driver.click("Next section", user=SM, message=card)
    await slack.settle()
    assert ":arrow_forward: *What - selection*" in shown(agenda_message(slack))
    late = slack.emulator.ephemerals(CHANNEL, SM)[-1]
    assert MOVED_ON in late.text and "*What - selection* is running now" in late.text
    assert said_in_thread(slack, MOVED_ON) == []
