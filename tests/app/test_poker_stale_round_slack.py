"""A live round left untouched for half a day holds its item no more: a new poll on the item
takes it over, and the old round is withdrawn there and then. Its cards and Accept buttons
are redrawn away, and a click left on an old copy of them is refused, pointing to the new
poll: an item never gets two accepted estimates from two live rounds."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from tests.app import test_poker_slack as kit
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_items_left_slack import run_due
from tests.app.test_poker_slack import DEVS, board, estimate_of, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, SM


async def estimate_in(slack, new) -> None:
    """The new poll estimates #1 as ever: everyone votes 3, the facilitator accepts it."""
    for user in DEVS:
        await vote(slack, user, "3", message=new)
    await slack.settle()
    [result] = replies(slack, new)
    await slack.driver.click("Accept 3", user=SM, message=result)
    assert await estimate_of(slack, 1) == 3.0


async def consensus_left_for_half_a_day(slack) -> tuple[Any, Any]:
    """A live round on #1 reveals a consensus on 8, then nobody touches it for 721 minutes:
    its board, and a copy of its result as a client that has not refreshed shows it."""
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    old = board(slack)
    for user in DEVS:
        await vote(slack, user, "8", message=old)
    await slack.settle()
    stale = copy.deepcopy(replies(slack, old)[0])
    assert "Accept 8" in kit.buttons(stale)
    slack.clock.advance(timedelta(minutes=721))
    return old, stale


async def test_a_new_poll_on_an_abandoned_rounds_item_withdraws_the_old_round(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    old = copy.deepcopy(board(slack))  # as a client that has not refreshed shows it
    slack.clock.advance(timedelta(minutes=721))
    await poker(slack, "1", user=DEV2)
    await run_due(slack)  # the old poll shown again (a sync job, due at once)
    first, new = kit.polls(slack)
    assert first.ts == old.ts and new.ts != old.ts
    redrawn = shown(first)
    assert "#1 is estimated in a newer poll" in redrawn, "the old board says where it went"
    assert "5" not in kit.buttons(first), "the old round's cards are gone"
    await vote(slack, DEV1, "8", message=old)  # a copy of the old board, cards and all
    refused = last_ephemeral(slack, DEV1).text
    assert "newer poll" in refused
    assert replies(slack, old) == [], "the old round never reveals"
    await estimate_in(slack, new)


async def test_an_accept_left_on_a_taken_over_rounds_result_is_refused(slack):
    old, stale = await consensus_left_for_half_a_day(slack)
    await poker(slack, "1", user=DEV2)
    await run_due(slack)  # the old poll shown again (a sync job, due at once)
    new = board(slack)
    assert new.ts != old.ts
    assert "Accept 8" not in kit.buttons(replies(slack, old)[0]), "its Accept is redrawn away"
    await slack.driver.click("Accept 8", user=SM, message=stale)
    refused = last_ephemeral(slack, SM).text
    assert "newer poll" in refused
    assert await estimate_of(slack, 1) is None, "the old round's estimate never lands"
    await estimate_in(slack, new)


async def test_asking_for_an_item_in_an_open_round_says_to_reveal_then_skip(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    answer = shown(await poker(slack, "1", user=DEV2))
    assert "clicks Reveal there (with votes or none), then Skip on the result" in answer
    assert "can skip it there to start over" not in answer


async def test_a_deep_dive_estimate_takes_an_abandoned_rounds_item_over_too(slack):
    await setup_team(slack, "Checkout redesign")
    await poker(slack, "1")
    old = copy.deepcopy(board(slack))  # as a client that has not refreshed shows it
    slack.clock.advance(timedelta(minutes=721))
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    for _ in range(2):
        await slack.driver.command("/refine", "next", user=SM, channel=CHANNEL)
    dive = next(m for m in slack.emulator.messages(CHANNEL) if "Deep dive 1 of" in shown(m))
    await slack.driver.click("Estimate", user=SM, message=dive)
    await run_due(slack)
    assert len(kit.polls(slack)) == 2
    assert "#1 is estimated in a newer poll" in shown(kit.polls(slack)[0])
    await vote(slack, DEV1, "8", message=old)
    assert "newer poll" in last_ephemeral(slack, DEV1).text


async def test_an_accept_on_a_round_no_longer_the_items_latest_is_refused_in_any_case(slack):
    """Two live rounds on one item, both revealed, as an earlier version left them (its new
    poll never withdrew the old round): the old one's Accept is refused all the same."""
    _, stale = await consensus_left_for_half_a_day(slack)
    await poker(slack, "1", user=DEV2)
    async with slack.db.transaction() as store:  # the old round as the earlier version left it
        assert await store.move_round(1, ("withdrawn",), "revealed", reveal_reason="all voted")
    await slack.driver.click("Accept 8", user=SM, message=stale)
    assert "newer poll" in last_ephemeral(slack, SM).text
    assert await estimate_of(slack, 1) is None
