"""A sprint review's verdict posts, its follow-ups and a deep dive's "estimating" note when Slack
refuses the post: each is recorded in the durable outbox with the decision it tells and sent at
once, so a refused one comes on the outbox's next try, once, in the meeting's thread; the
decision stands and the person who made it hears of no error. A copy of the click or the form
(a retried delivery) posts nothing twice.

Before, the flow posted them directly after the decision had committed: a refused post was lost
for good, and the person was told that something went wrong although their decision was made."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.emulator.driver import Ack
from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from tests.app.test_backlog_guards import replay
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_delivery import again
from tests.app.test_meeting_posts_durable_slack import refuse_posts, saying, sweep
from tests.app.test_refine_slack import refine, setup_team, thread
from tests.app.test_review_follow_up_slack import failed_in_review
from tests.app.test_review_slack import card_of, review, sprint_with_done_items
from tests.conftest import CHANNEL, DEV1, DEV2, PO, SM

FAILED = "*#2* Dark mode: value not confirmed by"
FOLLOW_UP = "Add a follow-up to the backlog"


async def later_once(slack: LocalStack, words: str) -> None:
    """The post saying `words` comes with the outbox's next try, and no later sweep (past the
    settle delay) posts it again."""
    await sweep(slack)
    assert len(saying(thread(slack), words)) == 1, "posted later"
    slack.clock.advance(outbox.SETTLE_AFTER + timedelta(minutes=1))
    await sweep(slack)
    assert len(saying(thread(slack), words)) == 1, "once"


async def give_verdict(
    slack: LocalStack, number: int, label: str, note: str, user: str = PO
) -> Ack:
    """A verdict clicked on the item's card and its note form submitted: the submission."""
    await slack.driver.click(label, user=user, message=card_of(slack, f"#{number}* "))
    form = slack.emulator.open_view(user)
    assert form is not None and form.view["callback_id"] == "review_verdict"
    return await slack.driver.submit(form, {"note": note}, user=user)


def refuse_post_saying(slack: LocalStack, words: str) -> None:
    """Slack refuses the first chat.postMessage that says `words`; those before it go through
    (a hold of no time picks it out, and plans the refusal it then meets)."""

    def this_one(args: dict[str, Any]) -> bool:
        if words not in json.dumps(args):
            return False
        refuse_posts(slack)
        return True

    slack.emulator.delay_next("chat.postMessage", 0, match=this_one)


def told_of_an_error(slack: LocalStack, user: str) -> list[str]:
    said = [shown(e) for e in slack.emulator.ephemerals(CHANNEL, user) if not e.deleted]
    said += [shown(m) for m in slack.emulator.dms(user)]
    return [s for s in said if "went wrong" in s]


async def test_a_verdict_post_slack_refused_comes_later_once_and_the_verdict_stands(slack):
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    refuse_posts(slack)
    await give_verdict(slack, 1, "Value confirmed", "Support tickets about PDFs halved")

    assert told_of_an_error(slack, PO) == []
    assert "So far: value confirmed" in shown(card_of(slack, "#1* ")), "the card says it"
    assert saying(thread(slack), "value confirmed by") == [], "refused once"
    await later_once(slack, "value confirmed by")


async def test_a_copied_verdict_form_posts_nothing_twice(slack):
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    refuse_posts(slack)
    submitted = await give_verdict(slack, 2, "Not confirmed", "Nobody switched it on", DEV1)
    await again(slack, submitted, interaction=True)  # Slack's retry
    await replay(slack, submitted.sent, interaction=True)  # a copy without the retry header
    await later_once(slack, FAILED)
    [failed] = saying(thread(slack), FAILED)
    assert FOLLOW_UP in failed
    assert told_of_an_error(slack, DEV1) == []


async def test_a_refused_failed_verdict_redraws_the_one_it_replaced_and_keeps_its_button(slack):
    """The verdict post it replaced loses its button at once; its own post, sent by the
    outbox, keeps the follow-up button (it is not taken for the replaced one)."""
    first = await failed_in_review(slack)  # not confirmed by Diana
    refuse_posts(slack)
    await give_verdict(slack, 2, "Not confirmed", "it broke again", DEV2)
    replaced = shown(slack.emulator.find_message(CHANNEL, first.ts))
    assert "Replaced by a later verdict" in replaced and FOLLOW_UP not in replaced, replaced
    await sweep(slack)
    again = shown(thread(slack)[-1])
    assert "it broke again" in again and len(saying(thread(slack), FOLLOW_UP)) == 1
    assert FOLLOW_UP in again and "Replaced by a later verdict" not in again, again
    assert told_of_an_error(slack, DEV2) == []


async def test_a_failed_verdict_posted_at_once_is_not_taken_for_the_one_it_replaced(slack):
    first = await failed_in_review(slack)
    await give_verdict(slack, 2, "Not confirmed", "it broke again", DEV2)
    again = shown(thread(slack)[-1])
    assert "it broke again" in again and len(saying(thread(slack), FOLLOW_UP)) == 1
    assert FOLLOW_UP in again and "Replaced by a later verdict" not in again, again
    replaced = shown(slack.emulator.find_message(CHANNEL, first.ts))
    assert "Replaced by a later verdict" in replaced and FOLLOW_UP not in replaced, replaced


async def test_a_follow_up_post_slack_refused_comes_later_and_the_follow_up_is_made(slack):
    failed = await failed_in_review(slack)
    refuse_posts(slack)
    click = await slack.driver.click(FOLLOW_UP, user=PO, message=failed)

    assert told_of_an_error(slack, PO) == []
    assert "Follow up #2" in shown(await backlog(slack)), "the follow-up is on the backlog"
    redrawn = shown(slack.emulator.find_message(CHANNEL, failed.ts))
    assert FOLLOW_UP not in redrawn and "Follow-up #4 is on the backlog" in redrawn, redrawn
    assert saying(thread(slack), "*#4* Follow up #2") == [], "refused once"
    await replay(slack, click.sent, interaction=True)
    await later_once(slack, "*#4* Follow up #2")


async def test_the_estimating_note_slack_refused_comes_later_and_the_round_runs(slack):
    await setup_team(slack)
    await refine(slack, "start")
    await refine(slack, "next")
    await refine(slack, "next")
    dive = next(m for m in thread(slack) if "Deep dive 1 of" in shown(m))
    refuse_post_saying(slack, "started estimating")  # the board goes through, the note not
    click = await slack.driver.click("Estimate", user=SM, message=dive)

    assert told_of_an_error(slack, SM) == []
    boards = [m for m in slack.emulator.messages(CHANNEL) if "Planning poker" in shown(m)]
    assert len(boards) == 1, "the round runs"
    assert saying(thread(slack), "started estimating") == [], "refused once"
    await replay(slack, click.sent, interaction=True)
    await later_once(slack, f"<@{SM}> started estimating #1")
