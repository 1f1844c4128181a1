"""Issue 13, point 7: one poll per item, and one reminder per voter whatever number of polls
waits for them, through the real app and the Slack emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import (
    at,
    board,
    estimate_of,
    poker,
    polls,
    replies,
    setup_team,
    vote,
)
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

OTHER = "C0OTHER"


async def test_a_second_poll_on_an_item_is_refused_with_a_link_to_the_open_one(slack):
    await setup_team(slack, "Export invoices", "Dark mode", "Search")
    await poker(slack, "async 1 2 for 24h")
    [first] = polls(slack)
    refused = await poker(slack, "2 3", user=DEV1)
    text = shown(refused)
    assert "#2 is being estimated already in an open estimation poll: vote there" in text
    permalink = slack.emulator.calls_to("chat.getPermalink")[-1]
    assert permalink.args["message_ts"] == first.ts, "the link is the open poll's"
    assert f"/p{first.ts.replace('.', '')}" in text, "with its address"
    answer = await poker(slack, "async 3 1 for 2h", user=SM)
    assert "#1 is being estimated already" in shown(answer)
    assert polls(slack) == [first], "no second poll was posted"
    assert len(replies(slack, first)) == 0

    # A live poll's queued items are open too, until they are settled.
    await poker(slack, "3")
    live = board(slack)
    assert "Search" in shown(live)
    assert "#3 is being estimated already in an open planning poker round" in shown(
        await poker(slack, "3", user=DEV2)
    )
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5", message=live)
    await slack.settle()
    [result] = replies(slack, live)
    await slack.driver.click("Accept 5", user=SM, message=result)
    assert await estimate_of(slack, 3) == 5.0
    await poker(slack, "3", user=DEV2)  # settled: estimating it again is a new poll
    assert len(polls(slack)) == 3


async def test_a_live_round_left_untouched_for_half_a_day_holds_its_items_no_more(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    assert "#2 is being estimated already" in shown(await poker(slack, "2", user=DEV1))
    slack.clock.advance(timedelta(hours=13))
    await poker(slack, "2", user=DEV1)
    assert len(polls(slack)) == 2 and "Dark mode" in shown(board(slack))


async def test_the_deep_dive_estimate_of_an_item_in_an_open_poll_is_refused_too(slack):
    await setup_team(slack, "Checkout redesign")
    await poker(slack, "async 1 for 24h")
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    for _ in range(2):
        await slack.driver.command("/refine", "next", user=SM, channel=CHANNEL)
    dive = next(m for m in slack.emulator.messages(CHANNEL) if "Deep dive 1 of" in shown(m))
    await slack.driver.click("Estimate", user=SM, message=dive)
    assert "#1 is being estimated already" in last_ephemeral(slack, SM).text
    assert len(polls(slack)) == 1


async def test_a_voter_with_several_polls_open_gets_one_reminder_listing_them_all(slack):
    """Two polls in this channel start together, a third in another channel half an hour
    later: each voter gets one direct message at half time, listing what waits for them."""
    await setup_team(slack, "Export invoices", "Dark mode")
    slack.emulator.add_channel(OTHER, "team-b", members=[DEV1, DEV2, DEV3, PO, SM, "UBOT"])
    for who, title in ((PO, "po"), (SM, "sm")):
        await slack.driver.command("/timebox", f"roles {title} <@{who}>", user=PO, channel=OTHER)
    await slack.driver.command("/backlog", "add Billing page", user=DEV1, channel=OTHER)
    await poker(slack, "async 1 for 24h")
    await poker(slack, "async 2 for 24h")
    slack.clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    await slack.driver.command("/poker", "async 1 for 24h", user=SM, channel=OTHER)
    first, second = polls(slack)
    await vote(slack, DEV1, "3", message=first)
    await vote(slack, DEV1, "3", message=second)
    await vote(slack, DEV2, "5", message=first)

    await at(slack, datetime(2026, 3, 2, 21, 0, tzinfo=UTC))  # 08:00 in Sydney: DEV3's half time
    [dev3] = slack.emulator.dms(DEV3)
    text = shown(dev3)
    assert "Your vote is awaited in these estimation polls" in text
    assert f"*#1* in <#{CHANNEL}>" in text and f"*#2* in <#{CHANNEL}>" in text
    assert f"*#1* in <#{OTHER}>" in text, "the other channel's poll too"
    assert [b["accessory"]["text"]["text"] for b in dev3.blocks if "accessory" in b] == [
        "Open the poll"
    ] * 3
    [dev2] = slack.emulator.dms(DEV2)
    assert f"*#2* in <#{CHANNEL}>" in shown(dev2) and f"*#1* in <#{OTHER}>" in shown(dev2)
    assert f"*#1* in <#{CHANNEL}>" not in shown(dev2), "voted there"
    assert slack.emulator.dms(DEV1) == [], "DEV1 owes only the other poll: not its time yet"

    await at(slack, datetime(2026, 3, 3, 2, 30, tzinfo=UTC))  # 08:00 in Kolkata: DEV1's
    [dev1] = slack.emulator.dms(DEV1)
    assert "You have not voted yet on *#1* in the estimation poll" in shown(dev1)
    assert f"<#{OTHER}>" in shown(dev1), "one poll waits for DEV1: the one-poll wording"
    assert [len(slack.emulator.dms(u)) for u in (DEV2, DEV3)] == [1, 1], (
        "reminded of it already: no second message"
    )
    async with slack.db.transaction() as store:
        nudges = [j for j in await store.jobs("poker_nudge") if j.done_at is not None]
    assert len(nudges) == 3 and all(j.outcome for j in nudges)

    await at(slack, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # an hour before: last call
    assert [len(slack.emulator.dms(u)) for u in (DEV1, DEV2, DEV3)] == [1, 2, 2]
    assert "*#2*" in shown(slack.emulator.dms(DEV3)[-1])
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    assert [len(slack.emulator.dms(u)) for u in (DEV1, DEV2, DEV3)] == [2, 2, 2], (
        "DEV1 owes only the other channel's poll, whose last call this is"
    )
    assert slack.emulator.dms(PO) == [] and slack.emulator.dms(SM) == [], "they watch"
