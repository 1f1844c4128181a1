"""Issue 13, point 10: what planning poker says, as the people in the channel read it."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import DEVS, board, buttons, poker, replies, setup_team, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, SM


async def revealed(slack, *cards: str):
    """A live round on #1 with the developers' `cards`; its result message."""
    await poker(slack, "1")
    for user, card in zip(DEVS, cards, strict=True):
        await vote(slack, user, card)
    await slack.settle()
    [result] = replies(slack, board(slack))
    return result


async def test_neighbouring_cards_are_no_consensus_the_facilitator_decides(slack):
    await setup_team(slack, "Export invoices")
    result = await revealed(slack, "8", "8", "13")
    text = shown(result)
    assert "Consensus" not in text and "consensus" not in text
    assert "*Suggested: 8 or 13, the facilitator decides.*" in text
    assert "the rule is: votes on two neighbouring cards of the deck are close enough" in text
    assert "Split it" not in text, "13 is the split threshold itself, not above it"
    assert buttons(result)[:2] == ["Accept 8", "Accept 13"], "either card, one click"
    assert "Revealed: suggested 8 or 13" in shown(board(slack))
    await slack.driver.click("Accept 8", user=SM, message=result)
    decided = slack.emulator.find_message(CHANNEL, result.ts)
    assert f"<@{SM}> accepted *8* as the estimate of #1." in shown(decided)


async def test_one_card_is_a_consensus_and_an_estimate_above_the_threshold_says_split_it(slack):
    await setup_team(slack, "Export invoices")
    result = await revealed(slack, "21", "21", "21")
    text = shown(result)
    assert "*Consensus: 21*." in text
    assert "*Split it:* 21 is above this team's split threshold of 13 points" in text
    assert "Revealed: consensus on 21" in shown(board(slack))


async def test_the_last_voter_is_not_told_they_can_still_change_their_vote(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    await vote(slack, DEV1, "5")
    assert "pick another card to change it until the reveal" in last_ephemeral(slack, DEV1).text
    await vote(slack, DEV2, "5")
    await vote(slack, DEV3, "5")
    last = last_ephemeral(slack, DEV3).text
    assert "You voted *5* on *#1*" in last
    assert "change" not in last and "Yours was the last vote: the votes are revealed" in last


async def test_a_facilitator_is_never_told_to_ask_themselves(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")  # the Scrum Master facilitates; the developers vote
    await vote(slack, SM, "5")
    refusal = last_ephemeral(slack, SM).text
    assert "Your vote was not counted" in refusal
    assert f"Ask <@{SM}>" not in refusal and "You facilitate it" in refusal
    await vote(slack, DEV1, "5")  # the voters' card works as before
    assert "You voted *5* on *#1*" in last_ephemeral(slack, DEV1).text


async def test_the_finished_queue_names_its_items(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    for user in DEVS:
        await vote(slack, user, "5")
    await slack.settle()
    [first] = replies(slack, board(slack))
    await slack.driver.click("Accept 5", user=SM, message=first)
    for user in DEVS:
        await vote(slack, user, "3")
    await slack.settle()
    second = replies(slack, board(slack))[-1]
    await slack.driver.click("Skip", user=SM, message=second)
    text = shown(board(slack))
    assert "~#1~ 5 · ~#2~ skipped" in text and ":checkered_flag: all done" in text
    assert "*#1* Export invoices: *5*" in text
    assert "*#2* Dark mode: skipped" in text


async def test_neighbouring_cards_above_the_threshold_say_split_it_on_a_line_of_its_own(slack):
    await setup_team(slack, "Export invoices")
    result = await revealed(slack, "13", "21", "21")
    [verdict] = [
        b["text"]["text"]
        for b in result.blocks
        if b.get("block_id", "").startswith("poker-verdict")
    ]
    assert "the rule is:" in verdict
    lines = verdict.splitlines()
    assert any(line.startswith(":scissors: *Split it:* 21 is above") for line in lines), verdict
