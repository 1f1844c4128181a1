"""The sprint review (issue 18, point 5) through the real app and the Slack emulator: a third
built-in agenda on the same meeting engine, walking the increment's done items with their value
hypotheses, recording each verdict on the item and in the minutes, offering a failed one back
to the backlog as a follow-up, and asking after the sprint goal at the end."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, time, timedelta

import icalendar

from bot.domain.backlog import ItemFields
from bot.domain.sprints import set_goal
from bot.emulator.stack import LocalStack
from bot.usecases import sprints
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_calendar_slack import _feed_url, _get, say
from tests.app.test_refine_slack import agenda_message, thread
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

READY = {"acceptance_criteria": ["It works"], "estimate": 3}


async def review(slack: LocalStack, text: str, user: str = SM) -> None:
    ack = await slack.driver.command("/review", text, user=user, channel=CHANNEL)
    assert ack.status == 200


def card_of(slack: LocalStack, words: str):
    return next(m for m in thread(slack) if words in shown(m))


async def sprint_with_done_items(slack: LocalStack) -> None:
    """Sprint 1 running with #1, #2 and #3 committed; #1 and #2 done, #3 not."""
    await roles(slack)
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        for title, why in (
            ("Export invoices", "Accountants stop asking support for PDFs"),
            ("Dark mode", "Night-shift users stay longer"),
            ("Audit log", "Admins find who changed what"),
        ):
            await store.add_item(team, ItemFields(title=title, hypothesis=why, **READY), PO, now)
        sprint = await sprints.upcoming(store, team, now)
        set_goal(sprint, "Invoices go out as PDF", "")
        await sprints.select(store, team, sprint, [1, 2, 3], {1}, {}, now)
        committed = await sprints.commit(
            store, team, sprint, SM, [DEV1, DEV2, DEV3], now, for_team=True
        )
        assert committed.recorded
    for number in (1, 2):
        await slack.driver.command("/sprint", f"done {number}", user=DEV1, channel=CHANNEL)


async def verdict(slack: LocalStack, number: int, label: str, note: str, user: str = PO) -> None:
    card = card_of(slack, f"#{number}* ")
    await slack.driver.click(label, user=user, message=card)
    form = slack.emulator.open_view(user)
    assert form is not None and form.view["callback_id"] == "review_verdict"
    await slack.driver.submit(form, {"note": note}, user=user)


async def test_a_sprint_review_walks_the_increment_records_verdicts_and_asks_for_the_goal(slack):
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    agenda = shown(agenda_message(slack))
    assert "Sprint review" in agenda and "The increment" in agenda
    cards = thread(slack)
    assert "*The increment of sprint 1:* 2 done items" in shown(cards[0])
    assert "*Item 1 of 2: #1* Export invoices" in shown(cards[1])
    assert "*Value hypothesis:* Accountants stop asking support for PDFs" in shown(cards[1])
    assert "*Item 2 of 2: #2* Dark mode" in shown(cards[2])
    assert not any("Audit log" in shown(m) for m in cards)  # not done: not in the increment

    await verdict(slack, 1, "Value confirmed", "Support tickets about PDFs halved")
    assert "value confirmed by" in shown(thread(slack)[-1])
    card = shown(card_of(slack, "#1* "))
    assert "So far: value confirmed (Support tickets about PDFs halved)" in card, card
    assert "So far" not in shown(card_of(slack, "#2* ")), "only the card judged is redrawn"
    await verdict(slack, 2, "Not confirmed", "Nobody switched it on", user=DEV1)
    failed = thread(slack)[-1]
    assert "*#2* Dark mode: value not confirmed by" in shown(failed)
    assert "Nobody switched it on" in shown(failed)

    # The failed hypothesis goes back to the backlog as a follow-up, once: the button leaves
    # the post, and a second click sent before Slack redrew it (`stale`) is refused.
    stale = copy.deepcopy(failed)
    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=failed)
    assert "*#4* Follow up #2: Dark mode is on the backlog" in shown(thread(slack)[-1])
    await slack.driver.click("Add a follow-up to the backlog", user=PO, message=stale)
    assert "has its follow-up already: #4" in shown(last_ephemeral(slack, PO))
    follow_up = shown(await backlog(slack, "show 4", user=PO))
    assert "Follow up #2: Dark mode" in follow_up and "Nobody switched it on" in follow_up

    # The verdict is on the item's history.
    history = shown(await backlog(slack, "show 2", user=PO))
    assert "value not confirmed: Nobody switched it on" in history
    assert "follow-up added: #4" in history

    # At the end: did we get the sprint goal?
    await review(slack, "next")
    goal = thread(slack)[-1]
    assert "*Sprint 1 goal:* Invoices go out as PDF" in shown(goal)
    assert "*Value:* 1 confirmed, 1 not confirmed (#2), 0 too early to say" in shown(goal)
    await slack.driver.click("Partly", user=PO, message=goal)
    assert "*Did we get the sprint goal?* Partly, says" in shown(
        slack.emulator.find_message(CHANNEL, goal.ts)
    )

    await review(slack, "end")
    minutes = shown(thread(slack)[-1])
    assert "*Minutes of the Sprint review* of sprint 1" in minutes
    assert "*#1* Export invoices: value confirmed (Support tickets about PDFs halved)" in minutes
    assert "*#2* Dark mode: value not confirmed (Nobody switched it on); follow-up #4" in minutes
    assert "*Did we get it?* Partly" in minutes

    # `/review history` lists it, and its minutes are a click away.
    await review(slack, "history", user=DEV1)
    past = last_ephemeral(slack, DEV1)
    assert "Past sprint reviews" in shown(past) and "Sprint review" in shown(past)
    await slack.driver.click(f"Minutes of {slack.clock.now():%d %b}", user=DEV1, message=past)
    assert "*#2* Dark mode: value not confirmed" in shown(last_ephemeral(slack, DEV1))


async def test_a_verdict_on_an_item_outside_the_increment_is_refused(slack):
    await sprint_with_done_items(slack)
    await review(slack, "start")
    await slack.driver.click("Value confirmed", user=PO, message=card_of(slack, "#1* "))
    form = slack.emulator.open_view(PO)
    assert form is not None
    meta = json.loads(form.view["private_metadata"])
    form.view["private_metadata"] = json.dumps({**meta, "item": 3})  # #3 is not done
    await slack.driver.submit(form, {"note": "sneaky"}, user=PO)
    assert "#3 is not a done item of the sprint under review" in shown(last_ephemeral(slack, PO))
    history = shown(await backlog(slack, "show 3", user=PO))
    assert "value confirmed" not in history


async def test_no_sprint_to_review_says_how_to_get_one(slack):
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=SM, channel=CHANNEL)
    await review(slack, "start")
    assert "There is no sprint to review yet" in shown(last_ephemeral(slack, SM))


async def test_once_the_team_holds_reviews_the_feed_shows_each_sprints_review(slack):
    await sprint_with_done_items(slack)
    await slack.driver.command("/timebox", "settings start 2026-03-02", user=PO, channel=CHANNEL)
    url = _feed_url(await say(slack, "/timebox", "calendar feed", user=PO))

    def summaries(body: bytes) -> set[str]:
        calendar = icalendar.Calendar.from_ical(body)
        return {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}

    assert "Sprint 1 ends" in summaries((await _get(slack, url))[2])
    await review(slack, "start 30m")
    await review(slack, "end")
    held = summaries((await _get(slack, url))[2])
    assert "Sprint 1 review" in held and "Sprint 1 ends" not in held


async def test_a_goal_answer_stands_when_its_card_cannot_be_redrawn(slack):
    """Slack refusing the card's redraw after the answer is saved: the answer stands (the
    minutes say it), the clicker gets no "unhandled error", the next click redraws it."""
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    await review(slack, "next")
    goal = thread(slack)[-1]
    slack.emulator.fail_next("chat.update", status=200, error="cant_update_message")
    ack = await slack.driver.click("Yes", user=PO, message=goal)
    assert ack.status == 200
    assert "Yes, says" not in shown(slack.emulator.find_message(CHANNEL, goal.ts))
    assert not [e for e in slack.emulator.ephemerals(CHANNEL) if "ref=" in shown(e)]

    await slack.driver.click("Yes", user=PO, message=goal)
    assert "*Did we get the sprint goal?* Yes, says" in shown(
        slack.emulator.find_message(CHANNEL, goal.ts)
    )
    await review(slack, "end")
    assert "Yes" in shown(thread(slack)[-1])


async def test_the_goal_card_counts_items_without_a_verdict_and_its_answer_may_change(slack):
    await sprint_with_done_items(slack)
    await review(slack, "start 60m")
    await verdict(slack, 1, "Value confirmed", "Fewer tickets")
    await review(slack, "next")
    goal = thread(slack)[-1]
    said = shown(goal)
    assert "1 confirmed, 0 not confirmed, 0 too early to say, 1 without a verdict yet." in said
    await slack.driver.click("Partly", user=DEV1, message=goal)
    goal = slack.emulator.find_message(CHANNEL, goal.ts)
    await slack.driver.click("No", user=PO, message=goal)
    assert f"*Did we get the sprint goal?* No, says <@{PO}>" in shown(
        slack.emulator.find_message(CHANNEL, goal.ts)
    )
    await review(slack, "end")
    assert "*Did we get it?* No" in shown(thread(slack)[-1])


async def test_a_review_before_the_first_sprint_starts_is_refused(slack):
    await roles(slack)
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        fields = ItemFields(title="Export invoices", hypothesis="Fewer tickets", **READY)
        await store.add_item(team, fields, PO, now)
        sprint = await sprints.upcoming(store, team, now)
        set_goal(sprint, "Invoices go out as PDF", "")
        await sprints.select(store, team, sprint, [1], set(), {}, now)
        await sprints.commit(store, team, sprint, SM, [DEV1, DEV2, DEV3], now, for_team=True)
        starts = sprint.starts_on
    slack.clock.set(datetime.combine(starts - timedelta(days=1), time(9), tzinfo=UTC))
    await review(slack, "start 60m")
    refused = shown(last_ephemeral(slack, SM))
    assert f"Sprint 1 starts on {starts:%A} {starts.day} {starts:%B}" in refused, refused
    assert not [m for m in slack.emulator.messages(CHANNEL) if "Sprint review" in shown(m)]
