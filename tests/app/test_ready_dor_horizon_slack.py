"""The Definition of Ready says which rule picks the items it checks: with a velocity, the items
filling the next two sprints, and the "Items to check without a velocity" setting waits; without
one, that setting. The card and its form both say so."""

from __future__ import annotations

from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_horizon_slack import team_after_one_sprint
from tests.app.test_ready_slack import make_team, ready
from tests.conftest import PO

SETTING = "Items to check without a velocity"


def horizon_hint(view: Any) -> str:
    [block] = [b for b in view.blocks if b.get("block_id") == "horizon"]
    return str(block["hint"]["text"])


async def _form(slack: LocalStack) -> Any:
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    view = slack.emulator.open_view(PO)
    assert view is not None
    return view


async def test_with_a_velocity_the_card_and_form_say_the_top_items_setting_waits(slack):
    await team_after_one_sprint(slack)
    card = shown(await ready(slack, "dor"))
    assert (
        "At a velocity of 5 points, reminders and `/ready` look at the top 4 items, about two "
        f"sprints (10 points). _{SETTING}_ (10) applies only while the team has no velocity"
    ) in card, card

    view = await _form(slack)
    hint = horizon_hint(view)
    assert hint.startswith("Not in use now: at a velocity of 5 points"), hint
    assert "the top 4 items, about two sprints (10 points)" in hint, hint
    await slack.driver.submit(view, {SETTING: "5"}, user=PO)
    saved = shown(last_ephemeral(slack, PO))
    assert f"_{SETTING}_ (5) applies only while the team has no velocity" in saved, saved


async def test_without_a_velocity_the_card_and_form_say_the_setting_is_in_force(slack):
    await make_team(slack, ["Export invoices"])
    card = shown(await ready(slack, "dor"))
    assert "Without a velocity yet, reminders and `/ready` look at the top 10 items." in card
    assert f"_{SETTING}_ sets that number until a sprint closes with points done" in card, card
    hint = horizon_hint(await _form(slack))
    assert hint.startswith("In use now"), hint
