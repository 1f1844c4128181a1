"""A later verdict on a review item redraws the post of the verdict it replaced as replaced,
whatever that verdict said (confirmed, too early to say, not confirmed), so no earlier verdict
stays in the thread looking current beside the newer one.

Before, only a "not confirmed" post was found again (by its block id) and redrawn: a "too early
to say" or "value confirmed" post kept reading as the item's verdict."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import thread
from tests.app.test_review_follow_up_slack import failed_in_review
from tests.app.test_review_outbox import give_verdict, refuse_posts, sweep
from tests.app.test_review_slack import review, sprint_with_done_items, verdict
from tests.conftest import CHANNEL, DEV1, DEV2, PO

REPLACED = "Replaced by a later verdict"
FOLLOW_UP = "Add a follow-up to the backlog"


def now_reads(slack, post) -> str:
    return shown(slack.emulator.find_message(CHANNEL, post.ts))


async def test_a_too_early_verdict_is_redrawn_as_replaced_by_a_later_one(slack):
    """QA's steps: not confirmed, its follow-up, too early to say, not confirmed again."""
    failed = await failed_in_review(slack)
    await slack.driver.click(FOLLOW_UP, user=PO, message=failed)
    await verdict(slack, 2, "Too early to say", "wait a month", user=PO)
    waiting = thread(slack)[-1]
    assert "wait a month" in shown(waiting) and REPLACED not in shown(waiting)
    await verdict(slack, 2, "Not confirmed", "still dark", user=DEV2)
    newest = thread(slack)[-1]

    redrawn = now_reads(slack, waiting)
    assert "wait a month" in redrawn and f"<@{PO}>" in redrawn, "what it said is kept"
    assert f"{REPLACED}: value not confirmed by <@{DEV2}>" in redrawn, redrawn
    assert "Its follow-up #4" in redrawn, "the follow-up made meanwhile is said"
    assert REPLACED not in shown(newest) and "still dark" in shown(newest), shown(newest)
    kept = now_reads(slack, failed)
    assert "Nobody switched it on" in kept and "wait a month" not in kept, "older ones kept"


async def test_a_confirmed_verdict_is_redrawn_as_replaced_and_the_new_failed_one_keeps_its_button(
    slack,
):
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    await verdict(slack, 1, "Value confirmed", "PDF tickets halved", user=PO)
    confirmed = thread(slack)[-1]
    await verdict(slack, 1, "Not confirmed", "tickets came back", user=DEV1)
    newest = thread(slack)[-1]

    redrawn = now_reads(slack, confirmed)
    assert "PDF tickets halved" in redrawn and f"{REPLACED}: value not confirmed" in redrawn
    assert FOLLOW_UP in shown(newest) and REPLACED not in shown(newest), shown(newest)


async def test_a_refused_verdict_still_redraws_the_too_early_one_it_replaced(slack):
    """The new verdict's post comes later from the outbox: the earlier post is redrawn at once,
    and the one the outbox sends is not taken for it."""
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    await verdict(slack, 1, "Too early to say", "wait a sprint", user=PO)
    waiting = thread(slack)[-1]
    refuse_posts(slack)
    await give_verdict(slack, 1, "Value confirmed", "tickets halved", DEV2)
    assert f"{REPLACED}: value confirmed by <@{DEV2}>" in now_reads(slack, waiting)
    await sweep(slack)
    newest = shown(thread(slack)[-1])
    assert "tickets halved" in newest and REPLACED not in newest, newest
