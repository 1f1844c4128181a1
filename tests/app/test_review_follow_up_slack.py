"""A review's failed-hypothesis post once its follow-up exists, and a later verdict on the item:
the follow-up button goes once the follow-up is made, and the minutes say coherently that a
follow-up made while the value read not confirmed stays on the backlog."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import thread
from tests.app.test_review_slack import review, sprint_with_done_items, verdict
from tests.conftest import CHANNEL, DEV1, PO


async def failed_in_review(slack):
    """A review of sprint 1 running, #2's value not confirmed by Diana: her verdict's post."""
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    await verdict(slack, 2, "Not confirmed", "Nobody switched it on", user=DEV1)
    return thread(slack)[-1]


async def test_the_follow_up_button_goes_once_the_follow_up_exists(slack):
    failed = await failed_in_review(slack)
    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=failed)
    redrawn = slack.emulator.find_message(CHANNEL, failed.ts)
    assert "Add a follow-up to the backlog" not in shown(redrawn), shown(redrawn)
    assert "Follow-up #4 is on the backlog" in shown(redrawn), shown(redrawn)
    assert "value not confirmed by" in shown(redrawn) and "Nobody switched it on" in shown(redrawn)


async def test_a_later_verdict_keeps_the_follow_up_made_and_the_minutes_say_so(slack):
    failed = await failed_in_review(slack)
    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=failed)
    await verdict(slack, 2, "Value confirmed", "actually fine", user=PO)
    replaced = shown(slack.emulator.find_message(CHANNEL, failed.ts))
    assert "The hypothesis failed" not in replaced, replaced
    assert "Replaced by a later verdict: value confirmed by" in replaced, replaced
    assert (
        "Its follow-up #4, made while the value read not confirmed, stays on the backlog"
        in replaced
    ), replaced
    await review(slack, "end")
    minutes = shown(thread(slack)[-1])
    assert (
        "*#2* Dark mode: value confirmed (actually fine); follow-up #4 added while its value "
        "read not confirmed" in minutes
    ), minutes


async def test_a_failed_verdict_confirmed_later_loses_its_follow_up_button(slack):
    failed = await failed_in_review(slack)
    await verdict(slack, 2, "Value confirmed", "actually fine", user=PO)
    replaced = shown(slack.emulator.find_message(CHANNEL, failed.ts))
    assert "Add a follow-up to the backlog" not in replaced, replaced
    assert "The hypothesis failed" not in replaced, replaced
    assert "Nobody switched it on" in replaced and "Replaced by a later verdict" in replaced
    assert "follow-up" not in replaced.split("later verdict")[1], "none was made"
    # Not confirmed again: the new post offers the follow-up, the replaced one still does not.
    await verdict(slack, 2, "Not confirmed", "it broke again", user=DEV1)
    again = thread(slack)[-1]
    assert "Add a follow-up to the backlog" in shown(again)
    assert "Add a follow-up" not in shown(slack.emulator.find_message(CHANNEL, failed.ts))
