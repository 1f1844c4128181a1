"""Planning poker end to end: live rounds, re-votes, async polls, secrecy, restarts, bursts."""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.emulator.driver import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.usecases import poker as poker_uc
from handlers.flows import poker as poker_flow
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_delivery import again
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

DEVS = (DEV1, DEV2, DEV3)


async def setup_team(slack: LocalStack, *titles: str) -> None:
    """Roles (so the channel's Developers are DEV1-3) and backlog items #1, #2, ..."""
    await roles(slack)
    for title in titles or ("Export invoices",):
        await slack.driver.command(
            "/backlog", "add " + slack.driver.escape(title), user=DEV1, channel=CHANNEL
        )


async def poker(slack: LocalStack, text: str, user: str = SM) -> Any:
    """Runs `/poker text`; returns the private answer, if there was a new one."""
    before = len(slack.emulator.ephemerals(CHANNEL, user))
    ack = await slack.driver.command("/poker", text, user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.text == ""
    after = slack.emulator.ephemerals(CHANNEL, user)
    return after[-1] if len(after) > before else None


def polls(slack: LocalStack) -> list[Any]:
    return [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.user == "UBOT"
        and m.thread_ts is None
        and m.blocks
        and m.blocks[0].get("type") == "header"
        and m.blocks[0]["text"]["text"] in ("Planning poker", "Estimation poll")
    ]


def board(slack: LocalStack) -> Any:
    return polls(slack)[-1]


async def one_item_poll(slack: LocalStack, text: str = "1") -> Any:
    """Item #1, "Export invoices", on the team's backlog and `/poker <text>` run by the Scrum
    Master: the poll's board."""
    await setup_team(slack, "Export invoices")
    await poker(slack, text)
    return board(slack)


def replies(slack: LocalStack, message: Any) -> list[Any]:
    return [m for m in slack.emulator.thread(CHANNEL, message.ts) if m.ts != message.ts]


def buttons(message: Any) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.blocks
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]


async def vote(slack: LocalStack, user: str, card: str, message: Any = None) -> None:
    await slack.driver.click(card, user=user, message=message or board(slack))


async def at(slack: LocalStack, when: datetime) -> int:
    slack.clock.set(when)
    ran = await slack.services.jobs.run_due()
    await slack.settle()
    return ran


async def estimate_of(slack: LocalStack, number: int) -> float | None:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        item = await store.item(team.id, number)
        return item.estimate


# -- live rounds -------------------------------------------------------------------------------


async def test_a_live_round_reveals_when_all_have_voted_and_the_estimate_lands(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    poll = board(slack)
    text = shown(poll)
    assert "*#1* Export invoices" in text and "Dark mode" not in text.split("*Queue:*")[0]
    assert f"*Waiting for:* <@{DEV1}>, <@{DEV2}>, <@{DEV3}>" in text
    assert f"<@{PO}>" not in text.split("*Queue:*")[0].split("voters:")[1], "the PO watches"
    await vote(slack, DEV1, "5")
    await vote(slack, DEV2, "8")
    confirmation = last_ephemeral(slack, DEV2)
    assert "You voted *8* on *#1*" in confirmation.text
    text = shown(board(slack))
    assert f"*Voted (2/3):* <@{DEV1}>, <@{DEV2}> · *Waiting for:* <@{DEV3}>" in text
    await vote(slack, DEV2, "5")  # a change of mind before the reveal
    assert "instead of 8" in last_ephemeral(slack, DEV2).text
    assert replies(slack, poll) == [], "nothing is revealed before everyone has voted"
    await vote(slack, DEV3, "8")
    [result] = replies(slack, poll)
    text = shown(result)
    assert "round 1: everyone voted, 3 votes" in text
    assert f"`5` ▇▇ 2 · <@{DEV1}>, <@{DEV2}>" in text and f"`8` ▇ 1 · <@{DEV3}>" in text
    assert "*Median* 5 · *Mode* 5 · *Average* 6 · *Spread* 5 to 8, 1 card apart" in text
    # issue 13, point 10: neighbouring cards are no consensus; the facilitator decides
    assert "*Suggested: 5 or 8, the facilitator decides.* The votes lie on two neigh" in text
    assert "Revealed: suggested 5 or 8" in shown(board(slack))
    refused = await slack.driver.click("Accept 8", user=DEV1, message=result)
    assert refused.status == 200
    assert "Only the facilitator of this poll" in last_ephemeral(slack, DEV1).text
    await slack.driver.click("Accept 8", user=SM, message=result)
    assert await estimate_of(slack, 1) == 8.0
    decided = slack.emulator.find_message(CHANNEL, result.ts)
    assert f"<@{SM}> accepted *8* as the estimate of #1." in shown(decided)
    assert "Accept 8" not in shown(decided), "the controls are gone once decided"
    text = shown(board(slack))
    assert "*#2* Dark mode" in text.split("*Queue:*")[0], "the queue moves on"
    assert "~#1~ 8 · *#2 (now)*" in text
    detail = await slack.driver.command("/backlog", "show 1", user=DEV1, channel=CHANNEL)
    assert detail.status == 200
    item = last_ephemeral(slack, DEV1)
    assert f"<@{SM}> edited estimate" in shown(item), "the item's history logs it"
    await slack.driver.click("Estimates", user=DEV1, message=item)
    history = shown(last_ephemeral(slack, DEV1))
    assert f"*8 pts*, accepted by <@{SM}>" in history and "1 round" in history
    assert f"Round 1: <@{DEV1}> 5, <@{DEV2}> 5, <@{DEV3}> 8" in history


async def test_a_split_vote_goes_to_round_two_and_every_round_is_kept(slack):
    poll = await one_item_poll(slack)
    await vote(slack, DEV1, "2")
    await vote(slack, DEV2, "13")
    await vote(slack, DEV3, "☕")
    [first] = replies(slack, poll)
    text = shown(first)
    assert f"*No consensus.* <@{DEV1}> (2) and <@{DEV2}> (13): please tell the team why" in text
    assert f":coffee: <@{SM}>, someone asks for a break." in text
    assert buttons(first) == ["Re-vote", "Skip"], "no suggestion to accept"
    await slack.driver.click("Re-vote", user=SM, message=first)
    first_now = slack.emulator.find_message(CHANNEL, first.ts)
    assert f"<@{SM}> started round 2." in shown(first_now), "round 1 stays, marked"
    assert "`13` ▇ 1" in shown(first_now), "with its votes"
    text = shown(board(slack))
    assert "*#1* Export invoices · round 2" in text and "*Voted (0/3):* nobody yet" in text
    assert "Round 2 of *#1*" in shown(replies(slack, poll)[1])
    for user, card in ((DEV1, "3"), (DEV2, "5"), (DEV3, "5")):
        await vote(slack, user, card)
    second = replies(slack, poll)[-1]
    assert "round 2: everyone voted" in shown(second)
    assert "*Suggested: 3 or 5, the facilitator decides.*" in shown(second)  # issue 13, 10
    await slack.driver.select("Accept another value", "3", user=SM, message=second)
    assert await estimate_of(slack, 1) == 3.0
    assert f"<@{SM}> accepted *3*" in shown(slack.emulator.find_message(CHANNEL, second.ts))
    text = shown(board(slack))
    assert "~#1~ 3" in text and ":checkered_flag: all done" in text
    await poker(slack, "history 1", user=DEV3)
    history = shown(last_ephemeral(slack, DEV3))
    assert "*3 pts*, accepted by" in history and "2 rounds" in history
    assert f"Round 1: <@{DEV1}> 2, <@{DEV2}> 13, <@{DEV3}> ☕" in history
    assert f"Round 2: <@{DEV1}> 3, <@{DEV2}> 5, <@{DEV3}> 5" in history


async def test_the_picker_starts_a_round_and_the_po_can_be_asked_in(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    picker = await poker(slack, "", user=DEV1)
    assert "*#1* Export invoices" in shown(picker) and "*#2* Dark mode" in shown(picker)
    await slack.driver.select(
        "", ["The Product Owner votes too"], user=DEV1, message=picker
    )  # the checkbox has no placeholder: found by its (empty) name
    await slack.driver.act(picker, "poker-pick-2", "poker_start", user=DEV1)
    assert "Planning poker on #2 has started" in last_ephemeral(slack, DEV1).text
    text = shown(board(slack))
    assert "*#2* Dark mode" in text and f"<@{PO}>" in text.split("*Waiting for:*")[1]
    assert "voters: the channel's Developers and the Product Owner" in text


# -- async polls -------------------------------------------------------------------------------


async def test_an_async_poll_nudges_only_non_voters_and_reveals_at_its_deadline(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "async 1 2 for 24h")
    poll = board(slack)
    deadline = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert f"closes <!date^{int(deadline.timestamp())}^" in shown(poll)
    await vote(slack, DEV1, "3")  # the first "3": #1's row
    await slack.driver.act(poll, "poker-2-cards-0", "poker_vote:4", user=DEV1)  # #2's "3"
    await vote(slack, DEV2, "5")
    assert replies(slack, poll) == []
    await at(slack, datetime(2026, 3, 2, 14, 59, tzinfo=UTC))
    assert slack.emulator.dms(DEV2) == [] and slack.emulator.dms(DEV3) == []
    # Half of the working time: the nudge, and its direct message to DEV2 (15:00 in London;
    # queued with it, sent in the sweep); DEV3's comes at 08:00 in Sydney.
    assert await at(slack, datetime(2026, 3, 2, 15, 0, tzinfo=UTC)) == 2
    [dev2] = slack.emulator.dms(DEV2)
    assert "You have not voted yet on *#2* in the estimation poll" in shown(dev2)
    assert slack.emulator.dms(DEV3) == [], "02:00 in Sydney"
    assert await at(slack, datetime(2026, 3, 2, 21, 0, tzinfo=UTC)) == 2
    assert slack.emulator.dms(DEV1) == [], "who has voted on everything is left alone"
    [dev3] = slack.emulator.dms(DEV3)
    assert "*#1*, *#2*" in shown(dev3) and f"<#{CHANNEL}>" in shown(dev3)
    assert slack.emulator.dms(PO) == [] and slack.emulator.dms(SM) == [], "they watch"
    await slack.driver.act(poll, "poker-2-cards-0", "poker_vote:5", user=DEV2)  # #2's "5"
    assert await at(slack, datetime(2026, 3, 3, 8, 0, tzinfo=UTC)) == 2  # an hour before: 1 DM
    assert len(slack.emulator.dms(DEV2)) == 1 and len(slack.emulator.dms(DEV3)) == 2
    assert await at(slack, datetime(2026, 3, 3, 9, 0, tzinfo=UTC)) == 2  # deadline, its notice
    results = replies(slack, poll)
    assert len(results) == 2
    assert all("voting closed, 2 votes" in shown(r) for r in results)
    notice = [m for m in slack.emulator.messages(CHANNEL) if "has closed" in m.text]
    assert len(notice) == 1 and notice[0].thread_ts is None, "posted in the channel too"
    assert "*#1* Export invoices: suggested 3 or 5" in shown(notice[0])  # issue 13, 10
    assert shown(board(slack)).count("Revealed:") == 2
    assert await at(slack, datetime(2026, 3, 4, 9, 0, tzinfo=UTC)) == 0, "fires once"
    assert len(replies(slack, poll)) == 2
    await slack.driver.click("Accept 5", user=DEV1, message=results[0])
    assert "Only the facilitator" in last_ephemeral(slack, DEV1).text
    await slack.driver.click("Accept 5", user=SM, message=results[0])
    assert await estimate_of(slack, 1) == 5.0
    assert "~" not in shown(board(slack)), "an async poll shows every item, not a queue"
    assert "Estimate: *5*, accepted by" in shown(board(slack))


async def test_until_is_read_in_the_teams_time_zone(slack):
    await setup_team(slack)
    await poker(slack, "async 1 until fri 17:00")
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
    assert f"closes <!date^{int(friday.timestamp())}^" in shown(board(slack))
    async with slack.db.transaction() as store:
        [deadline] = await store.pending("poker_deadline")
        assert deadline.due_at == friday
    answer = await poker(slack, "async 1 for 5m")
    assert "at least 10 minutes" in answer.text


# -- secrecy, permissions, restarts ------------------------------------------------------------

SECRET_CARDS = ("89", "144", "233")
SECRET_REASON = "zebra-crossing-risk"


def texts(value: Any, into: list[str]) -> list[str]:
    """Every piece of text a person could read, leaving out cards on buttons and in selects."""
    if isinstance(value, dict):
        if value.get("type") in ("actions", "input"):
            return into  # card buttons and the card select list every card, always
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                into.append(item)
            elif key not in ("value", "ts", "thread_ts", "channel", "user", "block_id"):
                texts(item, into)
    elif isinstance(value, list):
        for item in value:
            texts(item, into)
    return into


def leaks(call: Any, secrets: tuple[str, ...]) -> list[str]:
    found = []
    for text in texts(call.args, []):
        found += [s for s in secrets if re.search(rf"(?<![\d.]){re.escape(s)}(?![\d.])", text)]
    return found


async def test_no_vote_or_reason_is_shown_anywhere_before_the_reveal(slack, caplog):
    caplog.set_level(logging.INFO)
    await setup_team(slack, "Export invoices")
    answer = await poker(slack, "deck 89, 144, 233, 55, ?", user=PO)
    assert "not from small to large" not in answer.text
    assert "List the number cards from small to large" in answer.text
    await poker(slack, "deck 55, 89, 144, 233, ?", user=PO)
    started = len(slack.emulator.calls)
    await poker(slack, "1")
    await slack.driver.click("Vote with a reason", user=DEV1, message=board(slack))
    form = slack.emulator.open_view(DEV1)
    await slack.driver.submit(form, {"Your card": "89", "Why": SECRET_REASON}, user=DEV1)
    assert "Your reason: _zebra-crossing-risk_" in last_ephemeral(slack, DEV1).text
    await vote(slack, DEV2, "144")
    await slack.driver.event({"type": "app_home_opened", "user": DEV1, "tab": "home"})
    await slack.driver.command("/backlog", "show 1", user=SM, channel=CHANNEL)
    before = slack.emulator.calls[started:]
    own = {DEV1: "89", DEV2: "144"}
    assert len(before) > 5
    for call in before:
        secrets = (*SECRET_CARDS, SECRET_REASON)
        if call.method == "chat.postEphemeral" and call.args.get("user") in own:
            voter = call.args["user"]  # a voter's own confirmation may name their own card
            secrets = tuple(
                s for s in secrets if s != own[voter] and not (voter == DEV1 and s == SECRET_REASON)
            )
        assert leaks(call, secrets) == [], f"{call.method} showed a vote before the reveal"
    for record in caplog.records:
        message = record.getMessage()
        assert SECRET_REASON not in message
        assert not any(re.search(rf"\b{c}\b", message) for c in SECRET_CARDS), message
    await vote(slack, DEV3, "233")
    [result] = replies(slack, board(slack))
    assert leaks(slack.emulator.calls_to("chat.postMessage")[-1], SECRET_CARDS) != []
    assert SECRET_REASON in shown(result), "reasons are revealed with the votes"
    assert f"> <@{DEV1}> (89): {SECRET_REASON}" in shown(result)


async def test_only_voters_vote_and_only_the_facilitator_reveals_and_accepts(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1", user=DEV1)  # DEV1 facilitates and votes
    await vote(slack, PO, "5")
    refused = last_ephemeral(slack, PO)
    assert "Your vote was not counted: the voters of this poll are the channel's Developers" in (
        refused.text
    )
    assert "watch unless the poll is started `with po` or `with sm`" in refused.text
    assert f"Ask <@{DEV1}>" in refused.text
    await slack.driver.click("Vote with a reason", user=PO, message=board(slack))
    assert slack.emulator.open_view(PO) is None, "no form for someone who cannot vote"
    await vote(slack, DEV2, "5")
    await slack.driver.click("Reveal", user=DEV3, message=board(slack))
    assert "Only the facilitator of this poll (who started it) or a Scrum Master" in (
        last_ephemeral(slack, DEV3).text
    )
    assert replies(slack, board(slack)) == []
    stale = copy.deepcopy(board(slack))  # as a client that has not refreshed yet shows it
    await slack.driver.click("Reveal", user=SM, message=board(slack))  # a Scrum Master may
    [result] = replies(slack, board(slack))
    assert f"round 1: revealed by <@{SM}>, 1 vote." in shown(result)
    await vote(slack, DEV3, "8", message=stale)
    assert "Voting on #1 (round 1) is closed: the votes are revealed." in (
        last_ephemeral(slack, DEV3).text
    )
    await slack.driver.click("Re-vote", user=DEV2, message=result)
    assert "Only the facilitator" in last_ephemeral(slack, DEV2).text
    await slack.driver.click("Skip", user=PO, message=result)
    assert "Only the facilitator" in last_ephemeral(slack, PO).text
    double = copy.deepcopy(result)  # the second click of a double click meets this
    await slack.driver.click("Accept 5", user=DEV1, message=result)
    await slack.driver.click("Accept 5", user=DEV1, message=double)
    assert "is closed: the estimate is settled" in last_ephemeral(slack, DEV1).text
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        item = await store.item(team.id, 1)
        assert item.estimate == 5.0 and len(await store.estimates(item.id)) == 1


async def test_voters_can_be_named_or_a_user_group(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, f"1 voters <@{DEV1}|diana> <@{PO}|paula>")
    text = shown(board(slack))
    assert f"*Waiting for:* <@{DEV1}>, <@{PO}>" in text
    assert "voters: the people the facilitator named" in text
    await vote(slack, DEV2, "3")
    assert "Your vote was not counted" in last_ephemeral(slack, DEV2).text
    slack.emulator.add_usergroup("S0DEVS", "devs", [DEV2, DEV3])
    await poker(slack, "2 voters <!subteam^S0DEVS|@devs>")
    text = shown(board(slack))
    assert f"*Waiting for:* <@{DEV2}>, <@{DEV3}>" in text and "the members of @devs" in text
    assert slack.emulator.calls_to("usergroups.users.list")[-1].args["usergroup"] == "S0DEVS"


async def test_a_restart_mid_poll_keeps_votes_and_the_deadline_fires_once(slack, db, clock):
    poll = await one_item_poll(slack, "async 1 for 2h")
    await vote(slack, DEV1, "8")
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        # Buttons on the message from before the restart still work: they carry the round.
        await restarted.driver.click("13", user=DEV2, message=poll)
        assert "You voted *13*" in last_ephemeral(slack, DEV2).text
        assert f"*Voted (2/3):* <@{DEV1}>, <@{DEV2}>" in shown(board(slack))
        clock.set(datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
        assert await restarted.services.jobs.run_due() >= 1
        await restarted.settle()
        assert await slack.services.jobs.run_due() == 0, "the old instance finds nothing due"
        await slack.settle()
        [result] = replies(slack, poll)
        assert "voting closed, 2 votes" in shown(result)
        assert f"`8` ▇ 1 · <@{DEV1}>" in shown(result), "the vote from before the restart"
        await restarted.driver.click("Accept 13", user=SM, message=result)
        assert await estimate_of(slack, 1) == 13.0
    finally:
        await restarted.stop()


async def test_a_vote_and_its_delivery_are_kept_in_one_transaction_and_a_retry_does_nothing(
    slack,
):
    """Issue 15, point 2: a click's vote is counted before its ack, and the request's delivery
    key is recorded in the same transaction (no write of its own after the ack); the same
    click delivered again (a proxy's retry) is skipped, and counts once."""
    await one_item_poll(slack)
    deliveries = slack.services.deliveries.commits
    click = await slack.driver.click("5", user=DEV1, message=board(slack))
    assert slack.services.deliveries.commits == deliveries, "recorded with the vote"
    assert "You voted *5*" in last_ephemeral(slack, DEV1).text
    async with slack.db.transaction() as store:
        key = f"trigger:{click.sent['trigger_id']}"
        assert await store.first_deliveries([{"key": key, "at": slack.clock.now()}]) == set()
    retried = await again(slack, click, interaction=True)
    assert retried.status == 200
    confirmations = [e for e in slack.emulator.ephemerals(CHANNEL, DEV1) if "You voted" in e.text]
    assert len(confirmations) == 1, "no second confirmation"
    async with slack.db.transaction() as store:
        assert [v.voter for v in (await store.ballots([1]))[1]] == [DEV1]


async def test_a_round_revealed_by_a_vote_gets_its_result_even_if_its_instance_dies(slack):
    """The vote that reveals a round records the result after its ack; an instance that stops
    in between (here: only the vote's transaction ran, as a kill -9 would leave it) left a
    `poker_sync` due soon, which posts the result, once."""
    poll = await one_item_poll(slack)
    for user in DEVS[:2]:
        await vote(slack, user, "5")
    last = poker_uc.Vote("vote:T-killed", "T0TEAM", CHANNEL, DEV3, 1, "8")
    counted = await poker_uc.cast(slack.services, last)
    assert counted is not None and counted.cast.revealed
    assert replies(slack, poll) == [], "not posted: the instance stopped"

    assert await at(slack, slack.clock.now() + poker_uc.SYNC_AFTER) == 1
    [result] = replies(slack, poll)
    assert "everyone voted, 3 votes" in shown(result)
    assert "Revealed:" in shown(board(slack))
    assert await at(slack, slack.clock.now() + poker_uc.SYNC_AFTER * 6) == 0
    assert len(replies(slack, poll)) == 1, "once"


async def test_a_vote_stored_before_its_ack_is_counted_once_even_if_its_instance_dies(slack):
    """A click is on disk before Slack gets the ack. An instance that stops between storing
    and counting it (here: only `take_vote` ran, as a kill -9 would leave it) leaves a due
    vote that any instance counts once it is due, and a second count does nothing."""
    poll = await one_item_poll(slack, "async 1 for 2h")
    async with slack.db.transaction() as store:
        [round_] = await store.rounds(1)
    svc = slack.services
    click = {"trigger_id": "T-killed"}
    card = {"workspace": "T0TEAM", "channel": CHANNEL, "user": DEV2, "round_id": round_.id}
    vote = await poker_flow.take_vote(svc, click, card="13", **card)
    assert vote is not None
    again = await poker_flow.take_vote(svc, click, card="13", **card)
    assert again is None, "the same delivery is stored once"
    assert "*Voted (0/3):* nobody yet" in shown(board(slack)), "stored, not yet counted"

    assert await at(slack, slack.clock.now() + poker_flow.VOTE_SETTLE) == 1
    assert "You voted *13*" in last_ephemeral(slack, DEV2).text
    assert f"*Voted (1/3):* <@{DEV2}>" in shown(board(slack))
    assert await poker_flow.count_vote(svc, slack.app.client, vote) == "counted already"
    assert len([e for e in slack.emulator.ephemerals(CHANNEL, DEV2) if "You voted" in e.text]) == 1
    assert poll.ts == board(slack).ts


# -- bad input ---------------------------------------------------------------------------------


async def test_mistakes_are_answered_with_usage(slack):
    await setup_team(slack, "Export invoices")
    answer = shown(await poker(slack, "abc"))
    assert "`/poker abc` is not something I know" in answer and "Usage: `/poker <n>" in answer
    assert "There is no item #99" in (await poker(slack, "99")).text
    answer = shown(await poker(slack, "deck 1,banana", user=PO))
    assert "`banana` is not a card" in answer
    answer = shown(await poker(slack, "1 for 24h"))
    assert "Deadlines are for async polls" in answer and "Usage: `/poker async" in answer
    assert "is not a mention" in (await poker(slack, "1 voters bob")).text
    assert "Sizes must grow: L=2 is less than M=3" in (await poker(slack, "tshirt L=2", PO)).text
    refused = await poker(slack, "deck modified", user=DEV1)
    assert "Only the Product Owner or Scrum Master can change the poker deck" in refused.text
    refused = await poker(slack, "tshirt XL=3", user=DEV1)
    assert "Only the Product Owner or Scrum Master can change the T-shirt sizes" in refused.text
    shown_deck = shown(await poker(slack, "deck", user=DEV1))
    assert "*Fibonacci*: 0  ½  1  2  3  5  8  13  21  ?  ☕" in shown_deck
    help_text = shown(await poker(slack, "help", user=DEV1))
    assert "`/poker async <n> [...] [for 24h | until fri 17:00]`" in help_text
    assert polls(slack) == [], "no poll was started by any of it"


async def test_a_tshirt_deck_estimates_in_points(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "deck tshirt", user=PO)
    answer = shown(await poker(slack, "tshirt M=4 L=6", user=PO))
    assert "XS=1, S=2, M=4, L=6, XL=8 points" in answer
    await poker(slack, "1")
    for user in DEVS:
        await vote(slack, user, "M")
    [result] = replies(slack, board(slack))
    assert "*Consensus: M (4 pts)*" in shown(result)
    await slack.driver.click("Accept M (4 pts)", user=SM, message=result)
    assert await estimate_of(slack, 1) == 4.0


# -- a burst of votes --------------------------------------------------------------------------


async def crowd_poll(slack: LocalStack, channel: str, voters: list[str]) -> Any:
    """A channel of `voters` and a live poll on its one item; the poll's message."""
    for user in voters:
        slack.emulator.add_user(user, f"voter{user[-3:]}")
    slack.emulator.add_channel(channel, channel.lower(), members=[*voters, "UBOT"])
    await slack.driver.command("/backlog", "add Big one", user=voters[0], channel=channel)
    await slack.driver.command("/poker", "1", user=voters[0], channel=channel)
    [poll] = [m for m in slack.emulator.messages(channel) if m.user == "UBOT"]
    return poll


async def burst(slack: LocalStack, poll: Any, cards: dict[str, str]) -> None:
    """Every voter clicks their card at once (no settling between clicks), then the bot
    settles; each click is acked."""
    fast = SlackDriver(
        slack.emulator, app_url=f"{slack.url}/slack/events", signing_secret=SIGNING_SECRET
    )
    try:
        acks = await asyncio.gather(
            *(fast.click(card, user=user, message=poll) for user, card in cards.items())
        )
        await slack.settle()
    finally:
        await fast.aclose()
    assert all(a.status == 200 for a in acks)


async def test_a_hundred_votes_in_a_burst_count_once_each_with_few_redraws(slack):
    members = [f"U0V{n:03d}" for n in range(100)]
    poll = await crowd_poll(slack, "C0BURST", members)
    slack.services.updates.interval = 3600  # only the burst's end (settle) may cut it short
    updates_before = len(slack.emulator.calls_to("chat.update"))
    await burst(slack, poll, {user: "3" if n % 3 else "8" for n, user in enumerate(members)})
    async with slack.db.transaction() as store:
        votes = (await store.ballots([1]))[1]
    assert len(votes) == 100 and len({v.voter for v in votes}) == 100
    thread = [m for m in slack.emulator.messages("C0BURST") if m.thread_ts == poll.ts]
    assert len(thread) == 1, "revealed exactly once"
    assert "everyone voted, 100 votes" in shown(thread[0])
    updates = slack.emulator.calls_to("chat.update")[updates_before:]
    assert len(updates) == 2, f"{len(updates)} redraws for 100 votes"
    final = slack.emulator.find_message("C0BURST", poll.ts)
    assert "Revealed: no consensus, 3 to 8" in shown(final), "the last redraw is exact"
    confirmations = [e for e in slack.emulator.ephemerals("C0BURST") if "You voted" in e.text]
    assert len(confirmations) == 100


async def test_the_poll_redraws_at_once_then_once_a_second_and_the_result_comes_with_the_last_vote(
    slack,
):
    """Issue 15, point 1, by the injected clock: the first vote redraws the poll at once; the
    votes after it fold into one redraw a second (the last within a second of the last vote,
    Slack's pace for chat.update); the result is in the thread as soon as the last expected
    vote is counted. The test moves the clock; nothing waits for real time."""
    members = [f"U0L{n:03d}" for n in range(30)]
    for user in members:
        slack.emulator.add_user(user, f"lead{user[-3:]}")
    slack.emulator.add_channel("C0LEAD", "lead", members=[*members, "UBOT"])
    await slack.driver.command("/backlog", "add Lead and trail", user=members[0], channel="C0LEAD")
    await slack.driver.command("/poker", "1", user=members[0], channel="C0LEAD")
    [poll] = [m for m in slack.emulator.messages("C0LEAD") if m.user == "UBOT"]
    inflight, start = slack.services.inflight, slack.clock.now()

    def redraws() -> list[Any]:
        return [c for c in slack.emulator.calls_to("chat.update") if c.args.get("ts") == poll.ts]

    def results() -> list[Any]:
        return [m for m in slack.emulator.thread("C0LEAD", poll.ts) if m.ts != poll.ts]

    def at(seconds: float) -> float:
        return (start + timedelta(seconds=seconds)).timestamp()

    # Clicks answered without settling: a pause runs its course until the clock moves.
    fast = SlackDriver(
        slack.emulator, app_url=f"{slack.url}/slack/events", signing_secret=SIGNING_SECRET
    )
    try:
        await fast.click("3", user=members[0], message=poll)
        await inflight.resting_only(timeout=30)
        [first] = redraws()
        assert first.at == at(0), "the first vote redraws at once"
        assert "*Voted (1/30):*" in shown(slack.emulator.find_message("C0LEAD", poll.ts))

        for n, user in enumerate(members[1:-1], start=1):  # 28 votes in 0.84 s
            slack.clock.set(start + timedelta(seconds=0.03 * n))
            await fast.click("5", user=user, message=poll)
        await inflight.resting_only(timeout=30)
        assert len(redraws()) == 1, "the next redraw waits for the second to be up"

        slack.clock.set(start + timedelta(seconds=1))
        await slack.settle()
        second = redraws()[1]
        assert second.at == at(1), "one redraw a second"
        assert "*Voted (29/30):*" in shown(slack.emulator.find_message("C0LEAD", poll.ts))

        slack.clock.set(start + timedelta(seconds=1.5))
        await fast.click("8", user=members[-1], message=poll)
        await inflight.resting_only(timeout=30)
        [result] = results()
        assert "everyone voted, 30 votes" in shown(result), "the result, at once"
        assert float(result.ts) >= at(1.5) and len(redraws()) == 2

        slack.clock.set(start + timedelta(seconds=2))
        await slack.settle()
        last = redraws()[2]
        assert last.at == at(2), "the last redraw: a second after the one before"
        assert last.at - at(1.5) <= 1, "and within a second of the last vote"
        assert "Revealed:" in shown(slack.emulator.find_message("C0LEAD", poll.ts))
        assert len(redraws()) == 3 and len(results()) == 1
    finally:
        await fast.aclose()
    assert slack.emulator.problems == []


async def test_the_largest_poll_fits_slacks_limits(slack):
    await setup_team(slack, *(f"Item {n}" for n in range(1, 11)))
    cards = ",".join(str(n) for n in range(1, 29)) + ",?,coffee"
    assert "*Custom*" in shown(await poker(slack, f"deck {cards}", user=PO))
    await poker(slack, "async " + " ".join(str(n) for n in range(1, 11)))
    poll = board(slack)
    assert len(poll.blocks) <= 50
    rows = [b for b in poll.blocks if b.get("type") == "actions"]
    assert len(rows) == 20 and all(len(b["elements"]) <= 25 for b in rows), "split in two"
    await slack.driver.act(poll, rows[1]["block_id"], "poker_vote:27", user=DEV1)  # "28"
    assert "You voted *28* on *#1*" in last_ephemeral(slack, DEV1).text
    assert slack.emulator.problems == []
