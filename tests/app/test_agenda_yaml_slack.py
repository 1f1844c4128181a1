"""Agendas as data: the "Replace with YAML" form opens with the channel's agenda
as YAML, and that YAML is an agenda Timebox takes back. The sprint planning's built-in agenda
gives its sections shares of the planning's timebox (2 h per sprint week), not minutes: its
YAML says `share:`, so a team that only rewords a purpose there saves it, and the planning
still lasts its whole timebox (4 h for a 2-week sprint), its sections the same shares."""

from __future__ import annotations

import json

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd, setup
from tests.conftest import CHANNEL, PO


def yaml_of(form) -> str:
    """The YAML the agenda form opened with."""
    for block in form.view["blocks"]:
        element = block.get("element") or {}
        if element.get("action_id") == "yaml" or block.get("block_id") == "yaml":
            return element["initial_value"]
    raise AssertionError(json.dumps(form.view)[:500])


async def test_the_planning_agenda_as_yaml_is_saved_back_with_a_purpose_reworded(slack):
    await setup(slack)
    await cmd(slack, "/planning", "agenda", PO)
    await slack.driver.click("Replace with YAML", user=PO, message=last_ephemeral(slack, PO))
    form = slack.emulator.open_view(PO)
    text = yaml_of(form)
    assert "minutes: null" not in text, text
    edited = text.replace("Developers split each", "The developers split each")
    assert edited != text
    ack = await slack.driver.submit(form, {"Agenda": edited}, user=PO)
    assert "errors" not in json.dumps(ack.json or {}), ack.json
    saved = shown(last_ephemeral(slack, PO))
    assert "this channel's own agenda" in saved, saved
    assert "The developers split each" in saved
    assert "*1. Why - the sprint goal* · 15% of the meeting" in saved, saved

    await cmd(slack, "/planning", "start", PO)
    [card] = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if not m.thread_ts and m.blocks and m.blocks[0].get("type") == "header"
    ]
    board = shown(card)
    assert "*Why - the sprint goal* · 36 min" in board, board[:400]
    assert "Commitment · 24 min" in board, board[:600]
