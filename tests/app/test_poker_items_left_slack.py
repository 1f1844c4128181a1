"""An item that leaves the backlog during a poll, through the real app: the poll's board is
shown again soon after (its cards for that item gone), by the poll's sync job asked for in
the change's own transaction, not on the next vote or reminder; and the Home tab no longer
lists its open round as waiting for a vote."""

from __future__ import annotations

from typing import Any

from bot.domain import poker as rules
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import cmd, commit_sprint, setup
from tests.app.test_poker_slack import board, buttons, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO


def card_blocks(message: Any) -> list[str]:
    """The block ids of the board's rows of cards to vote with."""
    return [b.get("block_id", "") for b in message.blocks if "-cards-" in b.get("block_id", "")]


async def syncs(slack: LocalStack) -> int:
    """Poll syncs waiting to run."""
    async with slack.db.transaction() as store:
        return len(await store.pending(rules.KIND_SYNC))


async def run_due(slack: LocalStack) -> None:
    """The job runner's next turn, with the clock where it is: nothing has fallen due later."""
    await slack.services.jobs.run_due()
    await slack.settle()


async def test_archiving_an_item_of_an_open_poll_redraws_its_board(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)
    assert card_blocks(poll) == ["poker-1-cards-0", "poker-2-cards-0"]

    await slack.driver.command("/backlog", "remove 2", user=PO, channel=CHANNEL)
    await run_due(slack)

    redrawn = board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == ["poker-1-cards-0"], "no cards for the archived item"
    assert "#2 was archived: this poll takes no more votes on it" in shown(redrawn)
    assert await syncs(slack) == 0


async def test_an_item_marked_done_during_a_poll_redraws_its_board(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)

    await slack.driver.command("/backlog", "done 1", user=DEV1, channel=CHANNEL)
    await run_due(slack)

    redrawn = board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == ["poker-2-cards-0"]
    assert "#1 is done: this poll takes no more votes on it" in shown(redrawn)


async def test_archiving_an_item_whose_round_is_revealed_takes_its_accept_away(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    for dev in (DEV1, DEV2, DEV3):
        await vote(slack, dev, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    assert "Accept 5" in buttons(result)

    await slack.driver.command("/backlog", "remove 1", user=PO, channel=CHANNEL)
    await run_due(slack)

    [redrawn] = replies(slack, board(slack))
    assert redrawn.ts == result.ts and buttons(redrawn) == ["Skip"], buttons(redrawn)
    assert "#1 was archived, so this poll estimates it no more" in shown(redrawn)


async def test_archiving_an_item_no_open_poll_holds_asks_for_no_redraw(slack):
    await setup_team(slack, "Export invoices", "Dark mode", "Legal text")
    await poker(slack, "async 1 2 for 24h")
    before = await syncs(slack)

    await slack.driver.command("/backlog", "remove 3", user=PO, channel=CHANNEL)

    assert await syncs(slack) == before


async def test_home_does_not_ask_for_a_vote_on_an_archived_item(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    diana = await home(slack, DEV1)
    assert "• *#1* Export invoices · closes" in diana and "• *#2* Dark mode · closes" in diana

    await slack.driver.command("/backlog", "remove 2", user=PO, channel=CHANNEL)

    for dev in (DEV1, DEV2):
        shown_home = await home(slack, dev)
        assert "*Waiting for your vote*" in shown_home
        assert "• *#1* Export invoices · closes" in shown_home, shown_home
        assert "#2* Dark mode" not in shown_home, "archived: estimated no more"


async def test_home_has_no_votes_waiting_when_every_item_of_the_poll_left(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")
    await slack.driver.command("/backlog", "done 1", user=DEV1, channel=CHANNEL)

    diana = await home(slack, DEV1)

    assert "Waiting for your vote" not in diana
    assert "Export invoices · closes" not in diana


async def test_an_item_done_in_the_sprint_during_a_poll_redraws_its_board(slack):
    """`/sprint done` finishes a sprint item (a poll may re-estimate one): its poll is shown
    again as the backlog's `done` shows it."""
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)

    await cmd(slack, "/sprint", "done 1", DEV1)
    await run_due(slack)

    redrawn = board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == ["poker-2-cards-0"]
    assert "#1 is done: this poll takes no more votes on it" in shown(redrawn)
