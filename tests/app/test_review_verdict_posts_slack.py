"""A review's verdict posts in the thread as verdicts on one item follow each other: a later
verdict redraws only the post of the verdict it replaced (older posts keep what they said),
and a follow-up made while Slack refuses to redraw its verdict's post is reported made."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import thread
from tests.app.test_review_follow_up_slack import failed_in_review
from tests.app.test_review_slack import verdict
from tests.conftest import CHANNEL, DEV1, DEV2, PO


async def test_a_later_verdict_leaves_the_posts_of_older_ones_as_they_were(slack):
    first = await failed_in_review(slack)  # not confirmed by Diana: "Nobody switched it on"
    await verdict(slack, 2, "Value confirmed", "actually fine", user=PO)
    await verdict(slack, 2, "Not confirmed", "it broke again", user=DEV2)
    second = thread(slack)[-1]
    await verdict(slack, 2, "Value confirmed", "fixed for good", user=PO)
    old = shown(slack.emulator.find_message(CHANNEL, first.ts))
    assert "Nobody switched it on" in old and f"<@{DEV1}>" in old, old
    assert "it broke again" not in old and f"<@{DEV2}>" not in old, old
    newer = shown(slack.emulator.find_message(CHANNEL, second.ts))
    assert "it broke again" in newer and "Replaced by a later verdict" in newer, newer
    assert "Add a follow-up to the backlog" not in newer, newer


async def test_a_follow_up_is_made_even_when_its_verdict_post_cannot_be_redrawn(slack):
    failed = await failed_in_review(slack)
    slack.emulator.fail_next("chat.update", status=200, error="message_not_found")
    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=failed)
    assert "*#4* Follow up #2" in shown(thread(slack)[-1]), "the follow-up is in the thread"
    said = [shown(e) for e in slack.emulator.ephemerals(CHANNEL, PO) if not e.deleted]
    assert not any("wrong" in s.lower() or "error" in s.lower() for s in said), said
    kept = shown(slack.emulator.find_message(CHANNEL, failed.ts))
    assert "Add a follow-up to the backlog" in kept, "Slack refused the redraw: a log line"
