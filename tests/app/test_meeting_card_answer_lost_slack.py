"""A meeting's agenda card whose outcome is unknown is looked for before the meeting goes.

Only a refusal Slack answered withdraws a start. A timeout or a dropped connection may come
after Slack took the card: the card's outbox key is looked for in the channel first, and a
card found there keeps the meeting (its first section opens, its buttons work); only one that
is not there withdraws it. Keeping the card's ts failing on a database error after Slack took
the card is not "not started" either: the outbox settles it and the meeting runs.

Before, any exception of the post withdrew the meeting: Slack showed a card with dead buttons
while the person heard the meeting "has not started", and an automatic start made one such
card per try.

Nothing waits for real time but the Web API client's own timeout (a fraction of a second),
which is what gives up on Slack's answer here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import agendas, open_meeting, say
from tests.app.test_calendar_slack import team as berlin_team
from tests.app.test_meeting_posts_durable_slack import top_level
from tests.app.test_ready_slack import at
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread
from tests.conftest import CHANNEL, SM

HELD = 30.0  # seconds the emulator holds Slack's answer: far longer than the client waits
CLIENT_TIMEOUT = 0.5  # seconds the Web API client waits for an answer before it gives up
pytestmark = pytest.mark.usefixtures("release_held")  # see tests/conftest.py


def is_card(args: dict[str, Any]) -> bool:
    return "meeting-card:" in json.dumps(args)


def answer_lost(slack: LocalStack) -> None:
    """Slack takes the next agenda card at once, but its answer never reaches the bot: the
    client gives up waiting."""
    slack.app.client.timeout = CLIENT_TIMEOUT
    slack.emulator.delay_next("chat.postMessage", HELD, applied=True, match=is_card)


def not_started(slack: LocalStack) -> bool:
    """Whether the person who started it was told the meeting has not started."""
    return any("has not started" in e.text for e in slack.emulator.ephemerals(CHANNEL, SM))


def cards(slack: LocalStack) -> list[Any]:
    """The agenda cards in the channel."""
    return [m for m in top_level(slack) if "Backlog refinement" in shown(m)]


async def test_a_card_slack_took_whose_answer_was_lost_keeps_the_meeting(slack):
    await setup_team(slack)
    answer_lost(slack)
    await refine(slack, "start 30m")
    [card] = [c for c in slack.emulator.calls_to("chat.postMessage") if is_card(c.args)]
    assert card.held and card.ok, "Slack has the card; the bot never heard so"
    assert not not_started(slack), "nobody is told a meeting they can see has not started"
    assert len(cards(slack)) == 1
    meeting = await open_meeting(slack)
    assert meeting.message_ts == agenda_message(slack).ts, "found by its key, and kept"
    assert len(thread(slack)) >= 1, "its first section opened in the card's thread"

    await refine(slack, "next")  # its buttons and commands work: the card is the meeting's
    assert "*Triage new items*" in shown(agenda_message(slack))
    assert len(cards(slack)) == 1


async def test_a_card_that_never_reached_slack_withdraws_the_meeting(slack):
    await setup_team(slack)
    slack.emulator.disconnect_next("chat.postMessage", times=3)  # the client's two retries too
    await refine(slack, "start 30m")
    assert not_started(slack)
    assert cards(slack) == []
    [looked] = slack.emulator.calls_to("conversations.history")
    assert looked.args["channel"] == slack.emulator.channel_id(CHANNEL)

    await refine(slack, "start 30m")  # not "already running": it was withdrawn
    assert len(cards(slack)) == 1
    assert len(thread(slack)) >= 1


async def test_a_refusal_slack_answered_withdraws_without_looking(slack):
    await setup_team(slack)
    slack.emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
    await refine(slack, "start 30m")
    assert not_started(slack)
    assert slack.emulator.calls_to("conversations.history") == [], "a refusal is definite"


@pytest.fixture
def card_ts_not_kept(slack: LocalStack) -> Iterator[list[str]]:
    """The database fails the statement that marks the agenda card's record done, once (as a
    dropped database connection would): the statements failed are listed."""
    failed: list[str] = []

    def failing(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        marking = statement.lstrip().upper().startswith("UPDATE SCHEDULED_JOBS")
        if marking and not failed and "meeting-card:" in str(parameters):
            failed.append(statement)
            raise OperationalError(statement, parameters, Exception("connection lost"))

    with before_each_statement(slack, failing):
        yield failed


@contextmanager
def before_each_statement(slack: LocalStack, hook: Callable[..., None]) -> Iterator[None]:
    """`hook` runs before each SQL statement the app sends (SQLAlchemy's own event), as the
    emulator's faults run in Slack's place."""
    engine = slack.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hook)


async def test_a_card_whose_ts_could_not_be_kept_is_settled_not_withdrawn(slack, card_ts_not_kept):
    await setup_team(slack)
    await refine(slack, "start 30m")
    assert card_ts_not_kept, "the card's record could not be marked"
    assert not not_started(slack), "Slack shows the card: the meeting was not withdrawn"
    [card] = cards(slack)
    meeting = await open_meeting(slack)
    assert meeting.message_ts is None

    slack.clock.advance(outbox.SETTLE_AFTER)
    await slack.services.jobs.run_due()
    await slack.settle()
    meeting = await open_meeting(slack)
    assert meeting.message_ts == card.ts, "the outbox found the card and kept its ts"
    assert len(cards(slack)) == 1


async def test_an_auto_start_whose_card_answer_was_lost_posts_one_card(slack):
    await berlin_team(slack)
    await say(slack, "/refine", "schedule mon 10:30 45m auto start")  # it is 10:00 in Berlin
    await at(slack, datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    answer_lost(slack)
    await at(slack, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    for minute in range(31, 45):  # the job's retries, had it failed
        await at(slack, datetime(2026, 3, 2, 9, minute, tzinfo=UTC))
    [agenda] = agendas(slack)
    meeting = await open_meeting(slack)
    assert meeting.message_ts == agenda.ts and meeting.facilitator == SM
