"""Dependencies between backlog items, end to end (issue 13, point 3): a dependency on `#n` is
a link to item n. It resolves itself when #n is done and opens again when #n is restored; a
cycle of links is refused with the cycle named; the backlog list and `/ready` say "blocked by
#n". Free-text dependencies (something outside the backlog, ticked by hand) stay possible."""

from __future__ import annotations

from typing import Any

from bot.domain.backlog import ItemFields, link_dependencies
from bot.domain.readiness import blocked_by
from bot.domain.sprints import set_goal
from bot.emulator.stack import LocalStack
from bot.usecases import sprints
from tests.app.test_backlog_slack import add, backlog, last_ephemeral, name_po, shown
from tests.app.test_ready_slack import ready
from tests.conftest import CHANNEL, DEV1, PO


async def depend(slack: LocalStack, number: int, text: str) -> Any:
    """Types `text` into item `number`'s Dependencies in its form and saves it; the answer."""
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    assert view is not None and view.callback_id == "item_edit"
    await slack.driver.submit(view, {"Dependencies": text}, user=PO)
    return last_ephemeral(slack)


async def depend_refused(slack: LocalStack, number: int, text: str) -> str:
    """Types `text` into item `number`'s Dependencies and saves it; what the form says under
    the field (it stays open, with what was typed)."""
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(view, {"Dependencies": text}, user=PO)
    assert ack.json["response_action"] == "errors" and slack.emulator.open_view(PO) is view
    return str(ack.json["errors"]["dependencies"])


async def row(slack: LocalStack, number: int) -> str:
    listing = await backlog(slack)
    [found] = [b for b in listing.blocks if b.get("block_id") == f"item-{number}"]
    return str(found["text"]["text"])


async def dependencies(slack: LocalStack, number: int) -> list[dict[str, Any]]:
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        item = await store.item(team.id, number)
        assert item is not None
        return list(item.dependencies)


async def test_a_dependency_on_an_item_follows_it_and_the_list_and_ready_say_blocked(slack):
    await add(slack, "API contract", "Export invoices", "Dark mode")
    await name_po(slack)
    await depend(slack, 2, "#1 API contract\n[ ] legal sign-off\n[x] design from UX")
    assert await dependencies(slack, 2) == [
        {"text": "#1 API contract", "item": 1, "resolved": False},
        {"text": "legal sign-off", "resolved": False},
        {"text": "design from UX", "resolved": True},
    ]
    assert "blocked by #1" in await row(slack, 2)
    assert "blocked by" not in await row(slack, 1)
    assert "blocked by #1" in shown(await ready(slack, "2"))
    report = shown(await ready(slack))
    assert "blocked by #1" in report and "depends on legal sign-off, not resolved" in report

    # #1 done: #2's link resolves itself (the free text stays as it was ticked).
    await backlog(slack, "done 1", user=DEV1)
    assert "blocked by" not in await row(slack, 2)
    assert "blocked by #1" not in shown(await ready(slack, "2"))
    detail = shown(await backlog(slack, "show 2"))
    assert "#1 API contract (resolved: #1 is done)" in detail
    assert "legal sign-off (open)" in detail and "design from UX (resolved)" in detail
    assert [d["resolved"] for d in await dependencies(slack, 2)] == [True, False, True]

    # #1 restored: the link is open again.
    await backlog(slack, "restore 1")
    assert "blocked by #1" in await row(slack, 2)
    assert "#1 API contract (open: blocked until #1 is done)" in shown(
        await backlog(slack, "show 2")
    )
    assert [d["resolved"] for d in await dependencies(slack, 2)] == [False, False, True]


async def test_a_cycle_of_links_is_refused_naming_it_and_changes_nothing(slack):
    await add(slack, "API contract", "Export invoices", "Dark mode")
    await name_po(slack)
    await depend(slack, 2, "#1")
    await depend(slack, 3, "#2 export first")
    refused = await depend_refused(slack, 1, "#3\nlegal sign-off")
    assert "#1 cannot depend on #3" in refused
    assert "(#1 → #3 → #2 → #1)" in refused
    assert await dependencies(slack, 1) == [], "nothing was saved"
    itself = await depend_refused(slack, 1, "#1")
    assert "#1 cannot depend on itself" in itself
    # Something outside the backlog is free text, ticked by hand (a `#99` it does not have is
    # refused: tests/app/test_backlog_dependencies.py).
    await depend(slack, 1, "[x] item 99 of the other team")
    assert await dependencies(slack, 1) == [{"text": "item 99 of the other team", "resolved": True}]
    assert "blocked by" not in await row(slack, 1)


async def test_an_item_done_in_the_sprint_resolves_what_waits_for_it(store, team, clock):
    """`/sprint done` (a sprint item done) settles the links to it as `/backlog done` does."""
    ready = dict(hypothesis="By doing it we expect value", acceptance_criteria=["works"])
    for title in ("API contract", "Export invoices"):
        await store.add_item(team, ItemFields(title=title, estimate=3, **ready), "UPO", clock.now())
    done, links, _ = await store.link_map(team.id)
    linked = link_dependencies(2, [{"text": "#1", "resolved": False}], done, links)
    await store.edit_item(team, 2, {"dependencies": linked}, "UPO", clock.now())
    sprint = await sprints.upcoming(store, team, clock.now())
    await sprints.select(store, team, sprint, [1], {1}, {}, clock.now())
    set_goal(sprint, "Invoices leave as PDF", "PDF export")
    await sprints.commit(store, team, sprint, "UD1", ["UD1"], clock.now())
    waiting = await store.item(team.id, 2)
    assert waiting is not None and blocked_by(waiting) == [1]
    await sprints.finish_item(store, team, 1, "UD1", clock.now())
    assert blocked_by(waiting) == [] and waiting.dependencies[0]["resolved"] is True
    became_ready, settled, *_ = await store.history(waiting)
    assert (became_ready.action, became_ready.actor) == ("became ready", "UD1")
    assert settled.changes["dependencies"][1] == [{"text": "#1", "item": 1, "resolved": True}]


async def test_a_move_against_a_dependency_is_made_and_named_to_the_po(slack):
    """The PO orders the backlog, so the move is made; the reply says which link the new
    order contradicts, both ways (the item above what it waits for, or below what waits)."""
    await add(slack, "API contract", "Export invoices", "Email invoices")
    await name_po(slack)
    await depend(slack, 2, "#1 the contract")
    await depend(slack, 3, "#2 the export\nlegal sign-off")

    moved = shown(await backlog(slack, "move 2 top"))
    assert "Moved #2 from position 2 to 1." in moved
    assert "#2 waits for #1, which now comes after it." in moved, moved
    moved = shown(await backlog(slack, "move 2 bottom"))
    assert "#3 waits for #2 and now comes before it." in moved, moved
    assert "#2 waits for #1" not in moved, "#1 is above it again"
    moved = shown(await backlog(slack, "move 3 bottom"))
    assert "Mind the order" not in moved, moved


async def test_a_dependency_on_an_item_archived_says_so_until_it_is_restored(slack):
    """#2 waits for #1; #1 archived would keep #2 "blocked by #1" for ever, unexplained: the
    list, `/ready` and the item say #1 is archived and how to bring it back; restored, #2
    is plainly blocked by #1 again. A link typed to an archived item says so at once."""
    await add(slack, "API contract", "Export invoices", "Dark mode")
    await name_po(slack)
    await depend(slack, 2, "#1 API contract")
    await backlog(slack, "remove 1")
    archived = "blocked by #1, which is archived: `/backlog restore 1` brings it back"
    assert archived in shown(await ready(slack, "2")), shown(await ready(slack, "2"))
    assert "#1 is archived, so it never will be done unless restored" in shown(
        await backlog(slack, "show 2")
    )
    await depend(slack, 3, "#1")
    assert archived in shown(await ready(slack, "3"))
    await backlog(slack, "restore 1")
    for number in (2, 3):
        said = shown(await ready(slack, str(number)))
        assert "blocked by #1" in said and "archived" not in said, said
    assert await dependencies(slack, 2) == [
        {"text": "#1 API contract", "item": 1, "resolved": False}
    ]


async def test_a_link_ticked_by_hand_before_its_item_is_done_is_refused_saying_why(slack):
    """`[x] #1` while #1 is not done: not saved silently unticked, but refused under the
    field, saying it ticks itself when #1 is done; `[ ] #1` saves."""
    await add(slack, "API contract", "Export invoices")
    await name_po(slack)
    refused = await depend_refused(slack, 2, "[x] #1 API contract")
    assert refused.startswith("#1 is not done, so “[x] #1” cannot be ticked by hand"), refused
    assert await dependencies(slack, 2) == [], "nothing was saved"
    await depend(slack, 2, "[ ] #1 API contract")
    assert await dependencies(slack, 2) == [
        {"text": "#1 API contract", "item": 1, "resolved": False}
    ]
