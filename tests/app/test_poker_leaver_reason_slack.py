"""A vote taken back because its voter had left the channel when they gave it (`disown`): the
vote they gave while a member stays with the reason they gave then, not without it, nor with
the one given after leaving."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_poker_leaver_vote_slack import refusals
from tests.app.test_poker_presence_slack import leaves
from tests.app.test_poker_slack import board, poker, replies, setup_team, vote
from tests.conftest import DEV1, DEV2, DEV3

WHY = "the PDF library is new to us"


async def vote_with_reason(slack: LocalStack, user: str, card: str, reason: str) -> None:
    await slack.driver.click("Vote with a reason", user=user, message=board(slack))
    form = slack.emulator.open_view(user)
    await slack.driver.submit(form, {"Your card": card, "Why": reason}, user=user)


def refused(slack: LocalStack) -> bool:
    """Told their vote was not counted: privately in the channel, else (a form's vote: the
    channel no longer takes their private messages) in a direct message."""
    sent = slack.emulator.calls_to("chat.postMessage")
    told = [c for c in sent if c.args.get("channel") == DEV2 and "not counted" in c.args["text"]]
    return bool(refusals(slack, DEV2) or told)


async def result_after(slack: LocalStack) -> str:
    """The others vote; the round's result, as the channel sees it."""
    await slack.settle()
    assert refused(slack), "the vote after leaving is refused"
    await vote(slack, DEV1, "5")
    await vote(slack, DEV3, "5")
    await slack.settle()
    [result] = replies(slack, board(slack))
    return shown(result)


async def test_a_card_changed_after_leaving_gives_back_the_earlier_card_with_its_reason(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 4h")
    await vote_with_reason(slack, DEV2, "8", WHY)
    leaves(slack, DEV2)
    await vote(slack, DEV2, "1")  # a change of mind after leaving, without a reason
    text = await result_after(slack)
    assert f"`8` ▇ 1 · <@{DEV2}>" in text, text
    assert f"> <@{DEV2}> (8): {WHY}" in text, text


async def test_a_reason_given_after_leaving_does_not_replace_the_earlier_one(slack):
    await setup_team(slack, "Export invoices")
    await poker(slack, "async 1 for 4h")
    await vote_with_reason(slack, DEV2, "8", WHY)
    leaves(slack, DEV2)
    await vote_with_reason(slack, DEV2, "8", "said from outside the channel")
    text = await result_after(slack)
    assert f"> <@{DEV2}> (8): {WHY}" in text, text
    assert "said from outside the channel" not in text, text
