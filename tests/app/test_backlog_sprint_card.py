"""An item of the running sprint, through the real app: its card offers what the commands
allow for it (Mark done, which finishes it in the sprint as `/sprint done` does; no Restore,
Archive or Move to top), and a restore or a move of it says where it is rather than that it
is on the backlog."""

from __future__ import annotations

from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_changes_slack import item, sprint_of
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import close_sprint, commit_sprint, setup
from tests.conftest import DEV1, PO


def buttons(card: Any, number: int) -> list[str]:
    """The action ids of the buttons under item `number`'s card."""
    [actions] = [b for b in card.blocks if b.get("block_id") == f"item-actions-{number}"]
    return [element["action_id"] for element in actions["elements"]]


async def running_sprint_of_1_and_2(slack: LocalStack) -> None:
    await setup(slack)
    await commit_sprint(slack, 1, 2)


async def test_a_sprint_items_card_marks_it_done_in_the_sprint_and_offers_no_restore(slack):
    await running_sprint_of_1_and_2(slack)

    card = await backlog(slack, "show 1", user=DEV1)

    assert "*Status:* In the sprint" in shown(card)
    assert buttons(card, 1) == ["item_edit", "item_done", "poker_history"]
    await slack.driver.click("Mark done", user=DEV1, message=card)
    done = last_ephemeral(slack, DEV1)
    assert "#1 is done in sprint 1." in shown(done) and "*Status:* Done" in shown(done)
    assert buttons(done, 1) == ["item_edit", "item_restore", "poker_history"]
    assert (await sprint_of(slack))[0] == [1, 2], "finished in the sprint, not taken out of it"
    closing = await close_sprint(slack, "Yes")
    assert "5 of 13 committed points completed" in closing, "its points count in the sprint"
    assert (await item(slack, 1)).status == "done"


async def test_restore_and_move_of_a_sprint_item_say_it_is_in_the_sprint(slack):
    await running_sprint_of_1_and_2(slack)

    restore = shown(await backlog(slack, "restore 2", user=PO))

    assert "#2 is in sprint 1, not archived or done, so there is nothing to restore." in restore
    assert "on the backlog already" not in restore
    assert "`/sprint done 2` finishes it there" in restore
    assert "`/sprint remove 2 <reason>` hands it back to the top of the backlog." in restore
    move = shown(await backlog(slack, "move 2 top", user=PO))
    assert "#2 is in sprint 1, not on the backlog, so it has no place in its order." in move
    assert "restore it first" not in move
    assert (await item(slack, 2)).status == "sprint"
    assert await sprint_of(slack) == ([1, 2], []), "the sprint is as committed"
