"""Slack failing after a poker state change never strands a poll (issue 14, point 2).

Every Slack call that follows a vote, a reveal or a decision stands on its own: a confirmation
that cannot reach its voter is dropped with one log line; a result Slack refused, a result
message or a board that could not be redrawn are shown again by the poll's `poker_sync` job.
Faults come from the emulator: `fail_next`, `rate_limit`, and 500s injected at random.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import pytest
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from bot.emulator.slack_faults import PlannedFault
from bot.emulator.stack import LocalStack
from bot.usecases import poker as poker_uc
from bot.usecases.unit import Actor
from handlers.common import in_channel
from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import (
    DEVS,
    at,
    board,
    burst,
    buttons,
    crowd_poll,
    estimate_of,
    poker,
    replies,
    setup_team,
    vote,
)
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, SM

FLAKY = "C0FLAKY"


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Web API client retries as configured (429s, 5xx, dropped connections), without
    waiting between tries: tests never sleep."""

    async def next_attempt(
        self: Any, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        if response is None and isinstance(self, AsyncRateLimitErrorRetryHandler):
            raise error
        state.next_attempt_requested = True
        state.increment_current_attempt()

    for handler in (AsyncRetryHandler, AsyncRateLimitErrorRetryHandler):
        monkeypatch.setattr(handler, "prepare_for_next_attempt_async", next_attempt)


def flaky(slack: LocalStack, monkeypatch: pytest.MonkeyPatch, share: float, seed: int = 14) -> None:
    """Slack answers this share of chat.* calls with a 500, at random (seeded)."""
    emulator = slack.emulator
    planned = emulator._take_fault
    chance = random.Random(seed)

    def take_fault(method: str) -> Any:
        fault = planned(method)
        if fault is None and method.startswith("chat.") and chance.random() < share:
            return PlannedFault(500, 0, "internal_error", 1)
        return fault

    monkeypatch.setattr(emulator, "_take_fault", take_fault)


def logged(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


async def shown_again(slack: LocalStack) -> None:
    """Moves the clock a minute at a time (Slack's rate windows pass, the job runner's
    retries come due) until no poll work is left."""
    for _ in range(30):
        async with slack.db.transaction() as store:
            if not await store.overdue(slack.clock.now() + poker_uc.SYNC_AFTER):
                return
        await at(slack, slack.clock.now() + poker_uc.SYNC_AFTER * 6)
    raise AssertionError("the poll's jobs never finished")


async def test_a_confirmation_that_cannot_reach_the_last_voter_does_not_strand_the_round(
    slack, caplog
):
    caplog.set_level(logging.INFO)
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    poll = board(slack)
    await vote(slack, DEV1, "5")
    await vote(slack, DEV2, "5")
    answers = len(slack.emulator.ephemerals(CHANNEL, DEV3))
    slack.emulator.fail_next("chat.postEphemeral", status=200, error="user_not_in_channel")
    await vote(slack, DEV3, "8")
    [result] = replies(slack, poll)
    assert "round 1: everyone voted, 3 votes" in shown(result), "the result is posted"
    assert "Revealed: suggested 5 or 8" in shown(board(slack)), "and the board redrawn"
    [drop] = logged(caplog, "vote confirmation")
    assert DEV3 in drop and "user_not_in_channel" in drop
    assert len(slack.emulator.ephemerals(CHANNEL, DEV3)) == answers, "no apology for the vote"
    assert logged(caplog, "unhandled error") == []


async def test_an_accept_whose_redraws_fail_shows_the_next_item_later(slack, quick_retries):
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    for user in DEVS:
        await vote(slack, user, "5")
    [result] = replies(slack, board(slack))
    slack.emulator.fail_next("chat.update", status=500, times=6)  # 3 tries each: result, board
    await slack.driver.click("Accept 5", user=SM, message=result)
    assert await estimate_of(slack, 1) == 5.0
    assert "Dark mode" not in shown(board(slack)).split("*Queue:*")[0], "not redrawn yet"
    assert "Accept 5" in buttons(slack.emulator.find_message(CHANNEL, result.ts))

    assert await at(slack, slack.clock.now() + poker_uc.SYNC_AFTER) == 1
    text = shown(board(slack))
    assert "*#2* Dark mode" in text.split("*Queue:*")[0], "the next item"
    assert "~#1~ 5 · *#2 (now)*" in text
    assert {"3", "5", "8", "Reveal"} <= set(buttons(board(slack))), "with its cards"
    decided = slack.emulator.find_message(CHANNEL, result.ts)
    assert f"<@{SM}> accepted *5* as the estimate of #1." in shown(decided)
    assert "Accept 5" not in buttons(decided)
    await vote(slack, DEV1, "3")  # the new cards work
    assert f"*Voted (1/3):* <@{DEV1}>" in shown(board(slack))


async def test_fifty_votes_under_rate_limits_and_500s_confirm_or_log_each_and_reveal_once(
    slack, quick_retries, caplog, monkeypatch
):
    caplog.set_level(logging.INFO)
    voters = [f"U0F{n:03d}" for n in range(50)]
    poll = await crowd_poll(slack, FLAKY, voters)

    slack.emulator.rate_limit("chat.postEphemeral", per_minute=30)
    slack.emulator.rate_limit("chat.update", per_minute=1)  # the first redraw only
    slack.emulator.fail_next("chat.postMessage", status=429, retry_after=0, times=4)  # the result
    flaky(slack, monkeypatch, share=0.05)
    await burst(slack, poll, {user: "5" if n % 4 else "8" for n, user in enumerate(voters)})
    async with slack.db.transaction() as store:
        votes = (await store.ballots([1]))[1]
    assert sorted(v.voter for v in votes) == voters, "every vote counted, once"

    assert any(c.http_status == 500 for c in slack.emulator.calls), "500s were injected"
    await shown_again(slack)
    confirmed = {e.user for e in slack.emulator.ephemerals(FLAKY) if "You voted" in e.text}
    drops = logged(caplog, "vote confirmation to")
    dropped = {user for user in voters if any(user in line for line in drops)}
    assert len(drops) == len(dropped), "one log line per dropped confirmation"
    assert confirmed | dropped == set(voters) and not confirmed & dropped
    assert dropped, "the limit dropped some"
    thread = [m for m in slack.emulator.messages(FLAKY) if m.thread_ts == poll.ts]
    assert len(thread) == 1, "revealed and posted exactly once"
    assert "everyone voted, 50 votes" in shown(thread[0])
    final = shown(slack.emulator.find_message(FLAKY, poll.ts))
    assert "Revealed: suggested 5 or 8" in final, "the final board"
    async with slack.db.transaction() as store:
        [round_] = await store.rounds(1)
    assert round_.result_ts == thread[0].ts, "the result's ts is kept"
    assert logged(caplog, "unhandled error") == []
    apologies = [e for e in slack.emulator.ephemerals(FLAKY) if "went wrong" in e.text]
    assert apologies == []


async def test_a_refused_result_and_a_refused_announcement_are_posted_later(slack, quick_retries):
    await setup_team(slack, "Export invoices")
    await poker(slack, "1")
    poll = board(slack)
    await vote(slack, DEV1, "2")
    await vote(slack, DEV2, "13")
    slack.emulator.fail_next("chat.postMessage", status=500, times=3)  # every try of the result
    await slack.driver.click("Reveal", user=SM, message=poll)
    assert replies(slack, poll) == [], "Slack refused the result"
    assert "Revealed: no consensus, 2 to 13" in shown(board(slack)), "the board is redrawn"
    assert await at(slack, slack.clock.now() + poker_uc.SYNC_AFTER) == 1
    [result] = replies(slack, poll)
    assert f"revealed by <@{SM}>, 2 votes" in shown(result)

    slack.emulator.fail_next("chat.postMessage", status=500, times=3)  # the announcement
    await slack.driver.click("Re-vote", user=SM, message=result)
    assert f"<@{SM}> started round 2." in shown(slack.emulator.find_message(CHANNEL, result.ts))
    assert len(replies(slack, poll)) == 1, "Slack refused the announcement"
    assert "*#1* Export invoices · round 2" in shown(board(slack))
    assert await at(slack, slack.clock.now()) == 1, "the outbox posts it"
    assert "Round 2 of *#1*" in shown(replies(slack, poll)[1])
    await vote(slack, DEV3, "5")
    assert f"*Voted (1/3):* <@{DEV3}>" in shown(board(slack))


async def test_a_decision_whose_redraws_never_ran_is_shown_by_its_check(slack):
    """As if the process stopped right after the decision's commit: its check shows it."""
    await setup_team(slack, "Export invoices", "Dark mode")
    await poker(slack, "1 2")
    for user in DEVS:
        await vote(slack, user, "8")
    [result] = replies(slack, board(slack))
    actor, member = Actor("T0TEAM", CHANNEL, SM, "T-stopped"), in_channel(slack.app.client, {})
    decided = await poker_uc.decide_round(slack.services, actor, member, 1, "8")
    assert decided.decision.next_round is not None
    assert "Dark mode" not in shown(board(slack)).split("*Queue:*")[0]
    assert await at(slack, slack.clock.now() + poker_uc.CHECK_AFTER) == 1
    assert "*#2* Dark mode" in shown(board(slack)).split("*Queue:*")[0]
    assert "~#1~ 8 · *#2 (now)*" in shown(board(slack))
    assert "Accept 8" not in buttons(slack.emulator.find_message(CHANNEL, result.ts))
