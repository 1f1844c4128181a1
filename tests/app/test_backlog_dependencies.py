"""A dependency on an item the channel's backlog does not have, through the real app: it is
refused under the item form's Dependencies before the ack, as a cycle is, with the form kept
open, since the item would wait for it forever. Free text stays allowed, and so does a note
the item had already (one imported from another team's export), ticked by hand."""

from __future__ import annotations

from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_guards import OTHER, items_of, other_channel
from tests.app.test_backlog_slack import add, backlog, last_ephemeral, name_po
from tests.app.test_dependencies_slack import depend, depend_refused, dependencies, row
from tests.conftest import CHANNEL, DEV1, PO


async def submit_dependencies(slack: LocalStack, channel: str, number: int, text: str) -> Any:
    """Opens item `number`'s form in `channel` and saves `text` as its Dependencies: the ack."""
    ack = await slack.driver.command("/backlog", f"edit {number}", user=DEV1, channel=channel)
    assert ack.status == 200
    view = slack.emulator.open_view(DEV1)
    assert view is not None and view.callback_id == "item_edit"
    return await slack.driver.submit(view, {"Dependencies": text}, user=DEV1)


async def their_dependencies(slack: LocalStack) -> list[dict[str, Any]]:
    """The dependencies of #1 in the other channel's backlog."""
    [their] = await items_of(slack, "T0TEAM", OTHER)
    return list(their.dependencies)


async def test_a_dependency_on_a_number_the_backlog_lacks_is_refused_under_the_field(slack):
    await add(slack, "API contract", "Export invoices")
    await name_po(slack)
    before = len(slack.emulator.ephemerals(CHANNEL, PO))

    refused = await depend_refused(slack, 2, "#99 missing\nlegal sign-off")

    assert refused.startswith("There is no #99 in this channel's backlog, so #2 would wait")
    assert "write something outside it without the #" in refused, "what to type instead"
    assert await dependencies(slack, 2) == [], "nothing was saved"
    assert len(slack.emulator.ephemerals(CHANNEL, PO)) == before, "no message beside the form"
    assert "not resolved" not in await row(slack, 2)

    refused = await depend_refused(slack, 2, "#999999999999999 far too long a number")
    assert refused.startswith("There is no #999999999999999 in this channel's backlog"), refused

    await depend(slack, 2, "#1 the contract\nAPI from team X")
    assert await dependencies(slack, 2) == [
        {"text": "#1 the contract", "item": 1, "resolved": False},
        {"text": "API from team X", "resolved": False},
    ], "a link to an item it has and free text are taken"


async def test_an_item_of_another_channels_backlog_is_not_one_of_this_backlog(slack):
    await add(slack, "API contract", "Export invoices", "Dark mode", "Audit log", "Search")
    other_channel(slack)
    ack = await slack.driver.command("/backlog", "add Their item", user=DEV1, channel=OTHER)
    assert ack.status == 200

    ack = await submit_dependencies(slack, OTHER, 1, "#5 search from team A")

    assert ack.json["response_action"] == "errors"
    assert ack.json["errors"]["dependencies"].startswith(
        "There is no #5 in this channel's backlog, so #1 would wait for it forever."
    )
    assert await their_dependencies(slack) == [], "nothing was saved"
    await submit_dependencies(slack, OTHER, 1, "item 5 of team A")
    assert await their_dependencies(slack) == [{"text": "item 5 of team A", "resolved": False}]


async def test_a_note_the_item_has_already_is_kept_and_can_be_ticked(slack):
    await backlog(slack, "import")
    view = slack.emulator.open_view(PO)
    csv = "Summary,Dependencies\nExport invoices,#7 API of the old board\n"
    await slack.driver.submit(view, {"CSV": csv}, user=PO)
    assert "Imported 1 item (#1)" in last_ephemeral(slack).text
    assert await dependencies(slack, 1) == [{"text": "#7 API of the old board", "resolved": False}]

    await depend(slack, 1, "[x] #7 API of the old board\n[ ] legal sign-off")

    assert await dependencies(slack, 1) == [
        {"text": "#7 API of the old board", "resolved": True},
        {"text": "legal sign-off", "resolved": False},
    ]
    refused = await depend_refused(slack, 1, "[x] #7 API of the old board\n#8 another")
    assert refused.startswith("There is no #8 in this channel's backlog"), "a new one is refused"
