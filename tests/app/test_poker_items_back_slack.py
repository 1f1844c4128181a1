"""An item that comes back to the backlog during a poll (restored, reopened), and a live poll
whose queued or current item leaves it, through the real app: the board follows the item's
backlog status both ways, and a live poll never opens a round on an item off the backlog."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd, commit_sprint, setup
from tests.app.test_poker_items_left_slack import card_blocks, run_due, syncs
from tests.app.test_poker_slack import DEVS, board, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, PO, SM


async def test_restoring_an_archived_item_of_an_open_poll_redraws_its_board(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 24h")
    poll = board(slack)
    await slack.driver.command("/backlog", "remove 1", user=PO, channel=CHANNEL)
    await run_due(slack)
    assert card_blocks(board(slack)) == []

    await slack.driver.click("Restore", user=PO, message=last_ephemeral(slack, PO))
    await run_due(slack)

    redrawn = board(slack)
    assert redrawn.ts == poll.ts
    assert card_blocks(redrawn) == ["poker-1-cards-0"], "its cards are back"
    assert "takes no more votes" not in shown(redrawn)
    assert await syncs(slack) == 0


async def test_reopening_a_sprint_item_of_an_open_poll_redraws_its_board(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    await poker(slack, "async 1 2 for 24h")
    await cmd(slack, "/sprint", "done 1", DEVS[0])
    await run_due(slack)
    assert card_blocks(board(slack)) == ["poker-2-cards-0"]

    await cmd(slack, "/backlog", "restore 1", PO)
    await run_due(slack)

    redrawn = board(slack)
    assert card_blocks(redrawn) == ["poker-1-cards-0", "poker-2-cards-0"], shown(redrawn)
    assert "#1 is done" not in shown(redrawn)


async def first_accepted(slack: LocalStack, *titles: str) -> str:
    """A live poll on items `titles` (#1, #2, ...) whose #2 is archived while #1 is voted on,
    then #1 accepted: the board as shown after."""
    await setup_team(slack, *titles)
    await poker(slack, " ".join(str(n) for n in range(1, len(titles) + 1)))
    await slack.driver.command("/backlog", "remove 2", user=PO, channel=CHANNEL)
    for dev in DEVS:
        await vote(slack, dev, "5")
    [result] = replies(slack, board(slack))
    await slack.driver.click("Accept 5", user=SM, message=result)
    return shown(board(slack))


async def test_a_live_poll_passes_over_a_queued_item_that_left_the_backlog(slack):
    text = await first_accepted(slack, "Export invoices", "Dark mode", "Legal text")

    current = text.split("*Queue:*")[0]
    assert "*#3* Legal text" in current and "Dark mode" not in current, text
    assert "~#2~ off the backlog · *#3 (now)*" in text
    assert text.count("#2 was archived") <= 1


async def test_a_live_poll_whose_last_queued_item_left_closes_when_the_rest_is_settled(slack):
    text = await first_accepted(slack, "Export invoices", "Dark mode")

    assert card_blocks(board(slack)) == [], text
    assert "~#2~ off the backlog" in text
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert await store.open_polls(team.id) == [], "every item settled: the poll is closed"


async def test_an_open_live_round_whose_item_leaves_is_withdrawn_and_the_queue_moves_on(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    started = board(slack).ts

    await slack.driver.command("/backlog", "remove 1", user=PO, channel=CHANNEL)
    await run_due(slack)

    redrawn = board(slack)
    text = shown(redrawn)
    assert redrawn.ts == started
    assert "*#2* Dark mode" in text.split("*Queue:*")[0], text
    assert "~#1~ off the backlog · *#2 (now)*" in text
    await vote(slack, DEVS[0], "3")
    assert "You voted *3* on *#2*" in shown(last_ephemeral(slack, DEVS[0])), "#2 takes votes"


async def test_a_one_item_live_poll_whose_item_leaves_before_any_vote_closes(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")

    await slack.driver.command("/backlog", "remove 1", user=PO, channel=CHANNEL)
    await run_due(slack)

    text = shown(board(slack))
    assert "~#1~ off the backlog" in text and "Reveal" not in text, text
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert await store.open_polls(team.id) == []
