"""Readiness end to end: marks, the /ready report and its fixes, reminders on an injected clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator.stack import LocalStack
from handlers.views import form
from handlers.views import team as team_views
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.conftest import CHANNEL, DEV1, DEV2, PO, beside_roles

READY = {
    "Value hypothesis": "By doing it we expect happier users",
    "Acceptance criteria": "works",
    "Estimate (story points)": "3",
}


async def ready(slack: LocalStack, text: str = "", user: str = PO):
    before = len(slack.emulator.ephemerals(CHANNEL, user))
    ack = await slack.driver.command("/ready", text, user=user, channel=CHANNEL)
    assert ack.status == 200
    after = slack.emulator.ephemerals(CHANNEL, user)
    return after[-1] if len(after) > before else None


async def make_team(slack: LocalStack, titles: list[str], ready_numbers: set[int] = frozenset()):
    """A Berlin team (the PO's zone) with items; the given numbers made ready via the form."""
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    for title in titles:
        await backlog(slack, f"add {title}", user=DEV1)
    for number in sorted(ready_numbers):
        await backlog(slack, f"edit {number}")
        await slack.driver.submit(slack.emulator.open_view(PO), READY, user=PO)


def bot_posts(slack: LocalStack, channel: str = CHANNEL):
    """The bot's posts in the channel, but files and the setup's roles told (`beside_roles`)."""
    posts = beside_roles(slack.emulator.messages(channel))
    return [m for m in posts if m.user == "UBOT" and not m.files]


async def at(slack: LocalStack, when: datetime) -> int:
    """Moves the injected clock and runs whatever is due, as the server's ticker would."""
    slack.clock.set(when)
    ran = await slack.services.jobs.run_due()
    await slack.settle()
    return ran


async def test_the_report_names_gaps_and_a_fix_makes_the_item_ready(slack):
    await make_team(slack, ["Export invoices", "Dark mode", "Audit log"], {2})
    report = await ready(slack)
    text = shown(report)
    assert "2 of the top 3 items" not in text and "1 of the top 3 items is ready" in text
    assert "*#1* Export invoices" in text and "*#3* Audit log" in text and "#2 " not in text
    assert "no value hypothesis or description; no acceptance criteria; not estimated" in text
    await slack.driver.click("Write hypothesis", user=PO, message=report)
    view = slack.emulator.open_view(PO)
    focused = [b["block_id"] for b in view.blocks if b.get("element", {}).get("focus_on_load")]
    assert focused == ["hypothesis"], "the form opens on the missing field"
    await slack.driver.submit(view, READY, user=PO)
    assert "It is ready for sprint planning." in last_ephemeral(slack).text
    listing = shown(await backlog(slack))
    assert listing.count(":white_check_mark: ready") == 2
    explained = shown(await ready(slack, "3"))
    assert "*Not ready:* no value hypothesis" in explained


async def test_a_mistake_in_the_definition_of_ready_form_is_shown_under_its_own_field(slack):
    await make_team(slack, ["Export invoices"])
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    eleven = "\n".join(f"Question {n}" for n in range(11))
    refused = await slack.driver.submit(
        slack.emulator.open_view(PO), {"Team checklist": eleven}, user=PO
    )
    assert refused.json == {
        "response_action": "errors",
        "errors": {"questions": "Keep the team checklist to 10 questions at most."},
    }
    # Slack keeps the numbers within bounds; a form that says otherwise is answered under each.
    values = {"threshold": "0", "questions": "", "horizon": "60"}
    state = {block: {"input": {"value": text}} for block, text in values.items()}
    with pytest.raises(form.FieldErrors) as caught:
        team_views._dor({"view": {"state": {"values": state}}})
    assert caught.value.errors == {
        "threshold": "The split threshold is between 1 and 100 points.",
        "horizon": "Look at between 1 and 50 items when there is no velocity yet.",
    }


async def test_a_team_definition_of_ready_with_its_own_checklist(slack):
    await make_team(slack, ["Export invoices"], {1})
    dor = await ready(slack, "dor")
    assert "The estimate is at most the split threshold" in shown(dor)
    await slack.driver.click("Edit Definition of Ready", user=PO, message=dor)
    await slack.driver.submit(
        slack.emulator.open_view(PO),
        {"Split threshold (points)": "2", "Team checklist": "UX has reviewed it"},
        user=PO,
    )
    saved = shown(last_ephemeral(slack))
    assert "(2 points)" in saved and "UX has reviewed it" in saved
    verdict = shown(await ready(slack, "1"))
    assert '3 points: split it; not checked: "UX has reviewed it"' in verdict
    await backlog(slack, "edit 1")
    await slack.driver.submit(
        slack.emulator.open_view(PO),
        {"Estimate (story points)": "2", "Team checklist": ["UX has reviewed it"]},
        user=PO,
    )
    assert "*Ready* for sprint planning" in shown(await ready(slack, "1"))
    detail = shown(await backlog(slack, "show 1"))
    assert f"<@{PO}> became ready" in detail, "readiness changes are logged"


async def test_daily_reminder_posts_at_the_local_hour_and_dms_owners(slack):
    await make_team(slack, ["Export invoices", "Dark mode"], {2})
    await backlog(slack, "edit 1", user=DEV2)
    await slack.driver.submit(slack.emulator.open_view(DEV2), {"Owner": DEV2}, user=DEV2)
    answer = await ready(slack, "remind at 09:30")
    assert "Daily readiness reminder at 09:30 (Europe/Berlin) on Mon, Tue, Wed, Thu, Fri" in (
        shown(answer)
    )
    # The clock starts on Monday 2 March 2026, 10:00 in Berlin: the first is Tuesday 09:30.
    assert await at(slack, datetime(2026, 3, 3, 8, 29, tzinfo=UTC)) == 0
    # The reminder, then its two posts (channel and direct message), each a job of its own.
    assert await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC)) == 3
    [post] = bot_posts(slack)
    assert "1 item near the top of the backlog is not ready yet" in shown(post)
    assert "*#1* Export invoices" in shown(post) and "Dark mode" not in shown(post)
    [dm] = slack.emulator.dms(DEV2)
    assert "Export invoices" in shown(dm) and f"<#{CHANNEL}>" in shown(dm)
    assert slack.emulator.dms(DEV1) == [], "only owners of unready items get a message"
    # The same day again, and the weekend: nothing more.
    await at(slack, datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 7, 8, 30, tzinfo=UTC))
    await at(slack, datetime(2026, 3, 8, 8, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 4 - 3, "weekends are skipped"
    await at(slack, datetime(2026, 3, 9, 8, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 2, "Monday's reminder"


async def test_a_reminder_set_by_a_new_channels_first_user_runs_at_their_local_hour(slack):
    """The first user of a channel is offered its setup (issue 13, point 5: nobody becomes
    the PO by acting first); the form offers their Slack time zone, which becomes the team's,
    and the reminder they set then is planned in it, not in UTC."""
    await backlog(slack, "add Export invoices", user=DEV1)  # a team with no roles yet
    offer = await ready(slack, "remind at 09:30")
    await slack.driver.click("Set up the team", user=PO, message=offer)
    await slack.driver.submit(slack.emulator.open_view(PO), {"Product Owner": [PO]}, user=PO)
    answer = await ready(slack, "remind at 09:30")
    assert "Daily readiness reminder at 09:30 (Europe/Berlin)" in shown(answer)
    async with slack.db.transaction() as store:
        [job] = await store.pending("readiness_reminder")
    assert job.due_at == datetime(2026, 3, 3, 8, 30, tzinfo=UTC), "09:30 in Berlin"


async def test_no_empty_nag_when_everything_near_the_top_is_ready(slack):
    await make_team(slack, ["Export invoices"], {1})
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    assert bot_posts(slack) == []
    async with slack.db.transaction() as store:
        [job] = [j for j in await store.pending("readiness_reminder")]
        assert job.due_at == datetime(2026, 3, 4, 8, 30, tzinfo=UTC), "tomorrow's is scheduled"


async def test_a_missed_reminder_is_sent_within_the_grace_window_and_skipped_beyond(slack, caplog):
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 3, 3, 9, 15, tzinfo=UTC))  # 45 minutes late: sent
    assert len(bot_posts(slack)) == 1
    await at(slack, datetime(2026, 3, 4, 10, 45, tzinfo=UTC))  # 2h15 late: skipped, logged
    assert len(bot_posts(slack)) == 1
    assert any("skipping the readiness reminder" in r.getMessage() for r in caplog.records)
    await at(slack, datetime(2026, 3, 5, 8, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 2, "the next day's runs as usual"


async def test_a_restart_neither_loses_nor_doubles_a_reminder(slack, db, clock):
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1
    # A crash after posting, before the job was marked done: its row is still due.
    async with db.transaction() as store:
        [tomorrow] = await store.pending("readiness_reminder")
        team_id = tomorrow.payload["team_id"]
        await store.schedule(
            "readiness_reminder",
            "reminder:crashed",
            datetime(2026, 3, 3, 8, 30, tzinfo=UTC),
            {"team_id": team_id},
        )
    # The restarted bot: a new app on the same database, meeting the same Slack.
    restarted = await LocalStack(db, clock, emulator=slack.emulator).start()
    try:
        from bot.usecases.housekeeping import restore_schedules

        assert await restore_schedules(restarted.services) == 0, "pending rows survived"
        await restarted.services.jobs.run_due()
        await restarted.settle()
        assert len(bot_posts(slack)) == 1, "the per-day record stops a second one"
        clock.set(datetime(2026, 3, 4, 8, 30, tzinfo=UTC))
        await restarted.services.jobs.run_due()
        await restarted.settle()
        assert len(bot_posts(slack)) == 2, "and Wednesday's still comes"
    finally:
        await restarted.stop()


async def test_a_rate_limited_reminder_is_delivered_exactly_once(slack):
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 09:30")
    slack.emulator.fail_next("chat.postMessage", status=429, retry_after=0, times=2)
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1
    calls = beside_roles(slack.emulator.calls_to("chat.postMessage"))  # the reminder's
    assert [c.http_status for c in calls] == [429, 429, 200]


async def test_a_failed_delivery_is_retried_and_sent_once(slack):
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 09:30")
    slack.emulator.fail_next("chat.postMessage", status=200, error="fatal_error", times=1)
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    assert bot_posts(slack) == []
    await at(slack, datetime(2026, 3, 3, 8, 30, 10, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1


async def test_the_last_two_working_days_before_planning_mention_the_po(slack):
    await make_team(slack, ["Export invoices"])
    await slack.driver.command("/timebox", "settings start 2026-03-09", user=PO, channel=CHANNEL)
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # Tuesday: 4 working days ahead
    assert f"<@{PO}>" not in shown(bot_posts(slack)[-1])
    await at(slack, datetime(2026, 3, 5, 8, 30, tzinfo=UTC))  # Thursday: Thu and Fri are left
    urgent = shown(bot_posts(slack)[-1])
    assert f"<@{PO}>: sprint planning is Monday 09 March" in urgent
    assert "will not be plannable" in urgent


async def test_snoozed_items_are_left_out_until_they_wake(slack):
    await make_team(slack, ["Export invoices"])
    await ready(slack, "remind at 09:30")
    answer = await ready(slack, "snooze 1 2", user=PO)
    assert "#1 stays out of readiness reminders until Wednesday 04 March" in shown(answer)
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    assert bot_posts(slack) == []
    await at(slack, datetime(2026, 3, 4, 8, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1
    refused = await ready(slack, "snooze 1 2", user=DEV1)
    assert "Only the Product Owner or Scrum Master" in refused.text


async def test_reminder_settings_need_a_po_or_sm_and_holidays_are_skipped(slack):
    await make_team(slack, ["Export invoices"])
    refused = await ready(slack, "remind at 09:30", user=DEV1)
    assert "Only the Product Owner or Scrum Master" in refused.text
    await slack.driver.command("/timebox", "settings country DE", user=PO, channel=CHANNEL)
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 4, 3, 7, 30, tzinfo=UTC))  # Good Friday
    await at(slack, datetime(2026, 4, 6, 7, 30, tzinfo=UTC))  # Easter Monday
    assert bot_posts(slack) == []
    await at(slack, datetime(2026, 4, 7, 7, 30, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1
    off = await ready(slack, "remind off")
    assert "Readiness reminders are off" in shown(off)


async def test_backlog_health_finds_the_graveyard_and_archives_it_in_one_click(slack):
    await make_team(slack, ["Old idea", "Older idea"])
    slack.clock.advance(timedelta(days=100))
    await backlog(slack, "add Fresh idea", user=DEV1)
    health = await backlog(slack, "health")
    text = shown(health)
    assert "*Stale:* 2 untouched for 90+ days (67% of the backlog): #1, #2." in text
    assert "*No value hypothesis:* 3 items (#1, #2, #3)." in text
    assert "0 of the top 3 items say what value they expect." in text
    await slack.driver.click("Archive 2 stale items", user=DEV1, message=health)
    assert "Only the Product Owner" in last_ephemeral(slack, DEV1).text
    await slack.driver.click("Archive 2 stale items", user=PO, message=health)
    assert "Archived #1, #2." in last_ephemeral(slack).text
    listing = shown(await backlog(slack))
    assert "1 item ·" in listing and "Fresh idea" in listing


async def test_no_reminder_payload_is_invalid_and_none_pings_the_channel(slack):
    await make_team(slack, ["<!channel> urgent"])
    await ready(slack, "remind at 09:30")
    await at(slack, datetime(2026, 3, 3, 8, 30, tzinfo=UTC))
    for call in slack.emulator.calls_to("chat.postMessage"):
        assert "<!channel>" not in json.dumps(call.args)


async def test_the_archive_button_takes_the_items_it_showed_that_are_still_stale(slack):
    """The button says "Archive 2 stale items" (#1, #2): clicked a day later, it archives
    those of them still untouched, not #2 that someone edited meanwhile, nor #3 that went
    stale meanwhile (nobody saw it named)."""
    await make_team(slack, ["Old idea", "Older idea"])
    slack.clock.advance(timedelta(days=1))
    await backlog(slack, "add Nearly stale", user=DEV1)
    slack.clock.advance(timedelta(days=90))  # #1, #2 91 days untouched, #3 90 days: not yet
    health = await backlog(slack, "health")
    assert "#1, #2." in shown(health) and "Archive 2 stale items" in shown(health)
    slack.clock.advance(timedelta(days=1))  # #3 is stale now
    await backlog(slack, "edit 2")
    await slack.driver.submit(slack.emulator.open_view(PO), {"Title": "Older idea, v2"}, user=PO)
    await slack.driver.click("Archive 2 stale items", user=PO, message=health)
    assert "Archived #1." in last_ephemeral(slack).text, last_ephemeral(slack).text
    listing = shown(await backlog(slack))
    assert "Older idea, v2" in listing and "Nearly stale" in listing, listing
