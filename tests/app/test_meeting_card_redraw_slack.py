"""A meeting's agenda card that Slack refused to redraw is drawn again by due work.

Every step (`next`, `extend`, `end`...) and timer redraws the agenda card in the channel. When
Slack refuses that redraw (a 500 on each of the client's tries), the change stands and the card
is not left to the meeting's next change: an ended meeting has none, so its card would show it
running, with Next section, +5 min, Pause and End, for ever; a running one would show its old
section until its next timer. A `meeting_redraw` job (one row per meeting, claimed with a lease,
retried with the job runner's backoff) draws the card from the meeting as it is when it runs,
for a refinement, a planning and a review alike (bot/usecases/meeting_redraw.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.emulator.stack import LocalStack
from bot.usecases import meeting_redraw
from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import setup as planning_team
from tests.app.test_poker_faults import quick_retries  # noqa: F401 (a fixture)
from tests.app.test_poker_slack import buttons
from tests.app.test_refine_slack import agenda_message, refine, thread, tick
from tests.app.test_refine_slack import setup_team as refine_team
from tests.app.test_review_slack import sprint_with_done_items
from tests.conftest import CHANNEL, SM

CLOCK_BUTTONS = ["Next section", "+5 min", "Pause", "End meeting"]


def card(slack: LocalStack, name: str):
    """The meeting's agenda card in the channel: the top-level message headed `name`."""
    return next(
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and m.blocks[0].get("type") == "header" and not m.thread_ts
        if name in m.blocks[0]["text"]["text"]
    )


async def redraws(slack: LocalStack) -> list:
    async with slack.db.transaction() as store:
        return list(await store.jobs(meeting_redraw.REDRAW))


async def test_an_ended_meetings_agenda_card_slack_refused_to_redraw_does_not_run_forever(
    slack,
    quick_retries,  # noqa: F811
):
    """`/refine end` while chat.update fails (3 tries, each a 500): the meeting is ended and its
    minutes posted; its card, which nothing else would redraw (an ended meeting has no next
    change), is drawn again once Slack answers: ended, with no clock buttons, not two hours on
    "Kick-off · 4 min left" with Next section, +5 min, Pause and End."""
    await refine_team(slack)
    await refine(slack, "start 45m")
    slack.emulator.fail_next("chat.update", status=500, times=3)  # every try of the redraw
    await refine(slack, "end")
    for _ in range(10):  # Slack answers again; the job runner has had many chances
        await tick(slack, 1)
    card = agenda_message(slack)
    assert "Backlog refinement · ended" in shown(card), shown(card)[:400]
    assert buttons(card) == [], "an ended meeting's card offers no clock buttons"


@pytest.mark.parametrize("kind", ["planning", "review"])
async def test_a_planning_or_a_review_ended_while_slack_refused_its_card_shows_it_ended(
    slack,
    quick_retries,  # noqa: F811
    kind,
):
    """The same for the other kinds of meeting: `/planning end` and `/review end` while
    chat.update fails leave the card running only until the redraw job draws it ended."""
    name = {"planning": "Sprint planning", "review": "Sprint review"}[kind]
    await (planning_team if kind == "planning" else sprint_with_done_items)(slack)
    await slack.driver.command(f"/{kind}", "start 60m", user=SM, channel=CHANNEL)
    assert buttons(card(slack, name)) == CLOCK_BUTTONS
    slack.emulator.fail_next("chat.update", status=500, times=3)
    await slack.driver.command(f"/{kind}", "end", user=SM, channel=CHANNEL)
    assert buttons(card(slack, name)) == CLOCK_BUTTONS, "Slack refused the redraw"
    await tick(slack, 1)
    assert card(slack, name).blocks[0]["text"]["text"].endswith(" · ended")
    assert buttons(card(slack, name)) == []


async def test_a_failed_next_redraw_is_repaired_without_waiting_for_the_next_timer(
    slack,
    quick_retries,  # noqa: F811
):
    """Mid-meeting: `/refine next` while chat.update fails moves the meeting on (the triage
    opens in the thread), but the card still shows the kick-off. Its redraw job shows the
    triage seconds later, long before the triage's first timer (its warning, at 12 minutes)."""
    await refine_team(slack)
    await refine(slack, "start 45m")
    slack.emulator.fail_next("chat.update", status=500, times=3)
    await refine(slack, "next")
    assert "*Kick-off* · 4 min" in shown(agenda_message(slack)), "Slack refused the redraw"
    assert "Triage" in shown(thread(slack)[-1]), "the step stands"

    slack.clock.advance(meeting_redraw.REDRAW_AFTER)
    await slack.services.jobs.run_due()
    await slack.settle()
    drawn = shown(agenda_message(slack))
    assert "*Triage new items* · 15 min" in drawn, drawn[:400]
    assert "*Kick-off*" not in drawn
    assert not any("left in" in shown(m) for m in thread(slack)), "no timer ran yet"
    [job] = await redraws(slack)
    assert job.done_at is not None and job.outcome == "redrawn: running, section 1"


async def test_several_refused_redraws_make_one_job_that_retries_until_slack_takes_it(
    slack,
    quick_retries,  # noqa: F811
):
    """`next` then `extend`, both refused: one job row for the meeting, not two. Slack still
    failing when it runs, it is tried again after the job runner's backoff, and then draws the
    card as the meeting is (the triage, extended); a later refusal makes the same row due again."""
    await refine_team(slack)
    await refine(slack, "start 45m")
    slack.emulator.fail_next("chat.update", status=500, times=3)
    await refine(slack, "next")
    slack.emulator.fail_next("chat.update", status=500, times=3)
    await refine(slack, "extend")
    [job] = await redraws(slack)
    assert job.done_at is None and job.key == meeting_redraw.key_of(job.payload["meeting"])

    slack.emulator.fail_next("chat.update", status=500, times=3)  # its first run, refused
    slack.clock.advance(meeting_redraw.REDRAW_AFTER)
    await slack.services.jobs.run_due()
    await slack.settle()
    assert "*Kick-off*" in shown(agenda_message(slack))
    [job] = await redraws(slack)
    assert job.done_at is None and job.attempts == 1, "waiting for its retry"

    slack.clock.advance(timedelta(seconds=10))  # the job runner's first backoff
    await slack.services.jobs.run_due()
    await slack.settle()
    drawn = shown(agenda_message(slack))
    assert "*Triage new items* · 15 + 5 min" in drawn, drawn[:400]
    [job] = await redraws(slack)
    assert job.done_at is not None and job.attempts == 2

    slack.emulator.fail_next("chat.update", status=500, times=3)
    await refine(slack, "end")
    [job] = await redraws(slack)
    assert job.done_at is None and job.attempts == 0, "the same row, due again"
    await tick(slack, 1)
    assert "Backlog refinement · ended" in shown(agenda_message(slack))
    assert buttons(agenda_message(slack)) == []
