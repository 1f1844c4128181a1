"""What the backlog says about an item's place and status, end to end: a move before the item
itself, the history line of a dependency that resolved itself, and the status of a restored
item (open, whether it was archived or done)."""

from __future__ import annotations

from tests.app.test_backlog_slack import add, backlog, last_ephemeral, name_po, shown
from tests.app.test_dependencies_slack import depend
from tests.conftest import DEV1, PO


async def test_an_item_cannot_be_moved_before_itself(slack):
    await add(slack, "A", "B")
    await name_po(slack)
    answer = await backlog(slack, "move 2 before 2")
    assert "#2 cannot be moved before itself." in answer.text
    assert "not on the backlog" not in answer.text
    # An item that is not on the backlog is still named as such.
    assert "#9 is not on the backlog" in (await backlog(slack, "move 2 before 9")).text


async def test_a_dependency_done_is_a_line_of_its_own_not_an_edit_by_whoever_finished_it(slack):
    await add(slack, "API contract", "Export invoices")
    await name_po(slack)
    await depend(slack, 2, "#1 API contract")
    await backlog(slack, "done 1", user=DEV1)
    detail = shown(await backlog(slack, "show 2"))
    assert "#1, a dependency, is done · <!date^" in detail
    assert f"<@{DEV1}> edited dependencies" not in detail, "Diana did not edit #2"
    assert f"<@{PO}> edited dependencies" in detail, "Paula's own edit still reads as one"

    await backlog(slack, "restore 1")
    detail = shown(await backlog(slack, "show 2"))
    assert "#1, a dependency, is open again" in detail
    assert f"<@{PO}> edited dependencies" in detail
    assert detail.count("edited dependencies") == 1


async def test_a_restored_item_is_open_whether_it_was_archived_or_done(slack):
    await add(slack, "Never triaged", "Finished")
    await name_po(slack)
    archived = await backlog(slack, "remove 1")
    assert "*Status:* Archived" in shown(archived)
    await slack.driver.click("Restore", user=PO, message=archived)
    assert "*Status:* Open" in shown(last_ephemeral(slack))
    await backlog(slack, "done 2", user=DEV1)
    assert "*Status:* Open" in shown(await backlog(slack, "restore 2"))
    detail = shown(await backlog(slack, "show 1"))
    assert "*Position:* 1" in detail, "back on the backlog, at the bottom"
