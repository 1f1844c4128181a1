"""Prioritisation aids (issue 18, point 4) end to end, through the real app and the emulator:
MoSCoW in the item form and the list, WSJF or opportunity scores entered in the form, and a
suggested order beside the real one, which only the Product Owner applies."""

from __future__ import annotations

from typing import Any

from bot.domain import priority
from bot.emulator.stack import LocalStack
from storage.models import BacklogItem
from tests.app.test_backlog_slack import add, backlog, last_ephemeral, name_po, shown
from tests.conftest import CHANNEL, DEV1, PO


async def timebox(slack: LocalStack, text: str, user: str = PO) -> Any:
    ack = await slack.driver.command("/timebox", text, user=user, channel=CHANNEL)
    assert ack.status == 200
    return last_ephemeral(slack, user)


async def edit(slack: LocalStack, number: int, values: dict[str, Any], user: str = PO) -> Any:
    """`/backlog edit n`, the form filled in with `values` and saved; the ack."""
    await backlog(slack, f"edit {number}", user=user)
    view = slack.emulator.open_view(user)
    assert view is not None and view.callback_id == "item_edit"
    return await slack.driver.submit(view, values, user=user)


async def items(slack: LocalStack) -> dict[int, BacklogItem]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return {i.number: i for i in await store.all_items(team.id, include_closed=True)}


async def order(slack: LocalStack) -> list[int]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return [n for n, _ in await store.active_order(team.id)]


def rows(listing: Any) -> dict[int, str]:
    return {
        int(b["block_id"].split("-")[1]): b["text"]["text"]
        for b in listing.blocks
        if b.get("block_id", "").startswith("item-")
    }


async def test_moscow_is_set_in_the_item_form_by_the_po_and_shown_in_the_list(slack):
    await add(slack, "Export invoices", "Dark mode")
    await name_po(slack)
    await edit(slack, 1, {"MoSCoW": "Must have"})
    assert "changed priority" in last_ephemeral(slack).text
    await edit(slack, 2, {"MoSCoW": "Won't have this time", "Estimate (story points)": "3"})
    listing = await backlog(slack)
    assert "Story · Must have · unestimated" in rows(listing)[1]
    assert "Story · Won't have this time · 3 pts" in shown(listing)
    # A Developer may edit the item, but its MoSCoW is the Product Owner's: not asked of them
    # (tests/app/test_backlog_priority_field_slack.py).
    await edit(slack, 1, {"Epic": "Billing"}, user=DEV1)
    found = await items(slack)
    assert (found[1].priority, found[1].epic) == ("Must have", "Billing"), "MoSCoW kept as is"


async def test_a_priority_that_is_no_moscow_survives_the_form(slack):
    await add(slack, "Imported from Jira")
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        await store.edit_item(team, 1, {"priority": "High"}, PO, slack.clock.now())
    await edit(slack, 1, {"Epic": "Billing"}, user=DEV1)
    assert (await items(slack))[1].priority == "High"


async def test_wsjf_inputs_in_the_form_a_suggested_order_and_the_po_applies_it(slack):
    await add(slack, "Small valuable", "Big valuable", "Unscored", "Urgent tiny")
    await name_po(slack)
    settings = await timebox(slack, "settings priority wsjf")
    assert "*Prioritisation:* WSJF (weighted shortest job first)" in shown(settings)
    wsjf = {
        1: ("5", "8", "3", "2"),  # (8 + 3 + 2) / 5 = 2.6
        2: ("13", "20", "8", "5"),  # 33 / 13 = 2.54
        4: ("2", "5", "20", "13"),  # 38 / 2 = 19
    }
    for number, (estimate, value, time, risk) in wsjf.items():
        await edit(
            slack,
            number,
            {
                "Estimate (story points)": estimate,
                "Business value": value,
                "Time criticality": time,
                "Risk reduction / opportunity enablement": risk,
            },
            user=DEV1,
        )
    assert (await items(slack))[4].scores == {"value": 5, "time": 20, "risk": 13}
    listing = await backlog(slack)
    assert "WSJF 2.6" in rows(listing)[1] and "WSJF 19" in rows(listing)[4]
    assert "WSJF: not scored" in rows(listing)[3]

    suggestion = await backlog(slack, "priority", user=DEV1)
    text = shown(suggestion)
    assert "Suggested order: WSJF" in text
    assert "#3 (needs business value, time criticality" in text, "the unscored item is named"
    assert "an estimate (the job size)" in text
    columns = next(b for b in suggestion.blocks if b.get("block_id") == "priority-columns")
    suggested, now = (f["text"] for f in columns["fields"])
    assert suggested.index("#4 ") < suggested.index("#1 ") < suggested.index("#2 ")
    assert "*3.* #3 Unscored · not scored" in suggested, "kept in its place"
    assert "*1.* #4 Urgent tiny · 19 · now 4" in suggested
    assert now.index("#1 ") < now.index("#2 ") < now.index("#3 ") < now.index("#4 ")
    for column in (suggested, now):
        starts = [line.split(" ")[0] for line in column.splitlines()[1:]]
        assert starts == ["*1.*", "*2.*", "*3.*", "*4.*"], "a row a line, under the title"
    assert await order(slack) == [1, 2, 3, 4], "showing it moves nothing"

    await slack.driver.click("Apply this order", user=DEV1, message=suggestion)
    assert "Only the Product Owner can order the product backlog" in (
        last_ephemeral(slack, DEV1).text
    )
    assert await order(slack) == [1, 2, 3, 4]

    mine = await backlog(slack, "suggest")
    await slack.driver.click("Apply this order", user=PO, message=mine)
    assert await order(slack) == [4, 1, 3, 2]
    applied = last_ephemeral(slack)
    assert applied.ts == mine.ts, "the suggestion is redrawn in place"
    assert "Applied the suggested order: #4 4→1, #1 1→2, #2 2→4" in shown(applied)
    assert "The backlog already follows the WSJF scores." in shown(applied)
    assert not any(b.get("block_id") == "priority-actions" for b in applied.blocks)
    await backlog(slack, "show 4")
    assert f"<@{PO}> moved from position 4 to 1" in shown(last_ephemeral(slack))


async def test_a_suggestion_that_changed_since_it_was_shown_is_not_applied(slack):
    await add(slack, "One", "Two")
    await name_po(slack)
    await timebox(slack, "settings priority wsjf")
    for number, value in ((1, "1"), (2, "20")):
        await edit(
            slack,
            number,
            {
                "Estimate (story points)": "3",
                "Business value": value,
                "Time criticality": "1",
                "Risk reduction / opportunity enablement": "1",
            },
        )
    suggestion = await backlog(slack, "priority")
    await edit(slack, 1, {"Business value": "20", "Time criticality": "20"})
    await slack.driver.click("Apply this order", user=PO, message=suggestion)
    assert "The suggested order changed since it was shown" in last_ephemeral(slack).text
    assert await order(slack) == [1, 2]


async def test_opportunity_scoring_and_off(slack):
    await add(slack, "Met need", "Unmet need")
    await name_po(slack)
    await timebox(slack, "settings priority opportunity")
    await edit(slack, 1, {"Importance": "8", "Satisfaction today": "8"})  # 8
    await edit(slack, 2, {"Importance": "7", "Satisfaction today": "2"})  # 12
    listing = await backlog(slack)
    assert "Opportunity scoring 8" in rows(listing)[1]
    assert "Opportunity scoring 12" in rows(listing)[2]
    suggestion = await backlog(slack, "priority")
    await slack.driver.click("Apply this order", user=PO, message=suggestion)
    assert await order(slack) == [2, 1]
    await timebox(slack, "settings priority off")
    off = await backlog(slack, "priority")
    assert "`/timebox settings priority wsjf`" in off.text
    await backlog(slack, "edit 1")
    labels = [b.get("label", {}).get("text") for b in slack.emulator.open_view(PO).blocks]
    assert "MoSCoW" in labels and "Importance" not in labels
    assert (await items(slack))[1].scores == {"importance": 8, "satisfaction": 8}, "kept"
    refused = await timebox(slack, "settings priority rice")
    assert "is not a prioritisation" in refused.text


# -- the rules ------------------------------------------------------------------------------------


def _item(number: int, rank: float, estimate: float | None = None, **scores: int) -> BacklogItem:
    return BacklogItem(number=number, rank=rank, estimate=estimate, scores=scores, priority=None)


def test_ties_keep_their_order_and_unscored_items_their_places():
    found = priority.suggest(
        [
            _item(1, 1.0, 1.0, value=1, time=1, risk=1),
            _item(2, 2.0),
            _item(3, 3.0, 1.0, value=2, time=2, risk=2),
            _item(4, 4.0, 2.0, value=2, time=2, risk=2),
        ],
        "wsjf",
    )
    assert found.suggested == [3, 2, 1, 4]  # 6, -, 3, 3: #1 and #4 tie and keep their order
    assert [s.number for s in found.lacking] == [2]


def test_reorder_hands_the_ranks_out_again_and_respaces_ties():
    items = [_item(1, 1.0), _item(2, 1.5), _item(3, 7.0)]
    moved = priority.reorder(items, [3, 1, 2], now=None)  # type: ignore[arg-type]
    assert [(i.number, i.rank) for i in items] == [(1, 1.5), (2, 7.0), (3, 1.0)]
    assert [(m.number, m.old, m.new) for m in moved] == [(3, 3, 1), (1, 1, 2), (2, 2, 3)]
    tied = [_item(1, 2.0), _item(2, 2.0)]
    priority.reorder(tied, [2, 1], now=None)  # type: ignore[arg-type]
    assert [i.rank for i in tied] == [2.0, 1.0]
