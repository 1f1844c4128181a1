"""A meeting's posts when Slack refuses one: an agenda card Slack will not show withdraws the
start (nobody could follow the meeting: the person is told, and may start it again), and what a
step tells the meeting (a section's cards, the minutes, a commitment's summary) is recorded in
the durable outbox with the change and sent at once: one Slack refuses comes on the outbox's
next try, once, in the meeting's thread, and never keeps the next post from being sent.

Before, the flow posted them after the change had committed: a refused agenda card left a
meeting running that nobody could see (its timers posting top-level, a new start refused as
"already running"), and a refused section card, minutes or summary was lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agendas.kinds import People
from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from bot.usecases import planning as planning_uc
from bot.usecases.unit import Actor
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_calendar_slack import open_meeting
from tests.app.test_planning_slack import channel_posts, cmd, setup
from tests.app.test_planning_slack import thread as planning_thread
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread, tick
from tests.conftest import CHANNEL, PEOPLE, PO, SM


def refuse_posts(slack: LocalStack, times: int = 1) -> None:
    slack.emulator.fail_next("chat.postMessage", status=200, error="fatal_error", times=times)


def saying(messages: list, text: str) -> list[str]:
    return [shown(m) for m in messages if text in shown(m)]


def top_level(slack: LocalStack) -> list:
    return [m for m in slack.emulator.messages(CHANNEL) if not m.thread_ts]


async def sweep(slack: LocalStack) -> None:
    """The outbox's next try (and any later one) of what Slack refused."""
    await slack.services.jobs.run_due()
    await slack.settle()


@pytest.mark.parametrize(
    ("command", "start", "title"),
    [
        ("/refine", "start 30m", "Backlog refinement"),
        ("/planning", "start 1h", "Sprint planning"),
    ],
)
async def test_a_start_whose_agenda_slack_refused_is_withdrawn_and_may_start_again(
    slack, command, start, title
):
    await setup(slack)
    refuse_posts(slack)
    await cmd(slack, command, start)
    assert "the meeting has not started" in last_ephemeral(slack, SM).text
    assert saying(top_level(slack), title) == []
    await tick(slack, 30)  # no timer of the withdrawn meeting posts anything
    assert saying(slack.emulator.messages(CHANNEL), "left in") == []
    assert saying(slack.emulator.messages(CHANNEL), "Time is up") == []

    await cmd(slack, command, start)  # not "already running"
    [agenda] = [m for m in top_level(slack) if title in shown(m)]
    assert len(slack.emulator.thread(CHANNEL, agenda.ts)) > 1, "its first section opened"


async def test_a_next_sections_card_slack_refused_comes_in_the_thread_and_the_timer_follows(
    slack,
):
    await setup_team(slack)
    await refine(slack, "start 45m")
    refuse_posts(slack)
    await refine(slack, "next")
    assert "Triage new items" in shown(agenda_message(slack))  # the section moved
    assert saying(thread(slack), "*Triage 1 of 3: #1*") == []
    await sweep(slack)
    assert len(saying(thread(slack), "*Triage 1 of 3: #1*")) == 1
    await tick(slack, 13)
    assert "left in *Triage new items*" in shown(thread(slack)[-1])
    assert saying(top_level(slack), "left in") == []


async def test_a_deep_dive_card_slack_refused_is_kept_to_redraw_once_it_is_posted(slack):
    """Its ts is kept when the outbox posts it, so an edit of its item redraws it."""
    await setup_team(slack)
    await refine(slack, "start 45m")
    await refine(slack, "next")
    refuse_posts(slack)
    await refine(slack, "next")  # deep dive: its first card refused
    await sweep(slack)
    [card] = [
        m for m in thread(slack) if "Checkout redesign" in shown(m) and "Deep dive" in shown(m)
    ]
    assert (await open_meeting(slack)).data["deep_dives"]["1"][0] == card.ts


async def test_minutes_slack_refused_come_on_the_next_try_and_the_notice_is_not_held_back(
    slack,
):
    await setup_team(slack)
    await refine(slack, "start 45m")
    refuse_posts(slack)  # the minutes
    await refine(slack, "end")
    assert "Ended after" in shown(agenda_message(slack))
    assert saying(thread(slack), "*Minutes of the ") == []
    notices = len(saying(top_level(slack), "has ended"))
    assert notices >= 1, "the channel's notice went at once"
    await sweep(slack)
    assert len(saying(thread(slack), "*Minutes of the ")) == 1
    slack.clock.advance(timedelta(minutes=1))
    await sweep(slack)
    assert len(saying(thread(slack), "*Minutes of the ")) == 1, "once"
    assert len(saying(top_level(slack), "has ended")) == notices


async def test_a_commitment_slack_refused_to_announce_is_announced_on_the_next_try(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    refuse_posts(slack, times=2)  # the minutes and the summary
    await cmd(slack, "/planning", "commit team")
    assert saying(channel_posts(slack), "committed") == []
    await sweep(slack)
    assert len(saying(channel_posts(slack), "committed")) == 1
    assert len(saying(planning_thread(slack), "*Minutes of the ")) == 1
    slack.clock.advance(timedelta(minutes=1))
    await sweep(slack)
    assert len(saying(channel_posts(slack), "committed")) == 1, "once"


async def test_a_steps_note_slack_refused_comes_in_the_thread_on_the_next_try(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    refuse_posts(slack)
    await refine(slack, "pause")
    assert (await open_meeting(slack)).status == "paused"
    assert saying(thread(slack), "Paused: the clock stands still") == []
    await sweep(slack)
    assert len(saying(thread(slack), "Paused: the clock stands still")) == 1


@pytest.mark.parametrize(
    ("text", "user", "said"),
    [
        ("goal Faster pay", PO, ":dart: Sprint goal: Faster pay"),
        ("add 1", SM, "#1"),
    ],
)
async def test_a_plan_line_slack_refused_comes_in_the_thread_and_the_asker_gets_no_apology(
    slack, text, user, said
):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    lines = len(planning_thread(slack))
    refuse_posts(slack)
    await cmd(slack, "/planning", text, user)
    assert all("went wrong" not in e.text for e in slack.emulator.ephemerals(user))
    assert len(planning_thread(slack)) == lines
    await sweep(slack)
    [line] = planning_thread(slack)[lines:]
    assert said in shown(line)


async def test_a_commitments_minutes_and_summary_are_recorded_with_the_commitment(slack):
    """Recorded in the commitment's own transaction: a crash right after it commits (here, the
    Slack side never runs) leaves them to the outbox, which posts them once."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    people = People((*PEOPLE, "UBOT"), "UBOT")
    actor = Actor("T0TEAM", CHANNEL, SM, request="crashed-commit")
    await planning_uc.commit(slack.services, actor, people, for_team=True)
    assert saying(channel_posts(slack), "committed") == []
    slack.clock.advance(outbox.SETTLE_AFTER + timedelta(seconds=1))
    await sweep(slack)
    assert len(saying(channel_posts(slack), "committed")) == 1
    assert len(saying(planning_thread(slack), "*Minutes of the ")) == 1
    assert len(saying(channel_posts(slack), "has ended")) == 1, "the summary says it ended"


async def test_the_next_triage_card_slack_refused_comes_later_and_the_triage_stands(slack):
    """Triage stalled when the next card was lost: now the decision stands, nobody is told of
    an error, and the next card comes with the outbox's next try."""
    await setup_team(slack)
    await refine(slack, "start")
    await refine(slack, "next")
    card = next(m for m in thread(slack) if "Triage 1 of 3" in shown(m))
    refuse_posts(slack)

    await slack.driver.click("Keep", user=PO, message=card)
    await slack.settle()

    assert not saying(slack.emulator.ephemerals(CHANNEL, PO), "went wrong")
    assert not saying(thread(slack), "Triage 2 of 3"), "refused once"
    await sweep(slack)
    assert len(saying(thread(slack), "Triage 2 of 3")) == 1, "posted once, later"
