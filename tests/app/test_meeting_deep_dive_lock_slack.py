"""Keeping a deep-dive card's ts never writes over a step's change to the meeting, nor the
reverse: the hook that keeps it (once per card, and again from the outbox's retries) takes
the team's lock, as every step does, and reads the meeting as it is then.

The interleaving is played for real on PostgreSQL: a `/refine extend 5`, which writes the
meeting's data (its extensions), has read the meeting under the team's lock and is about to
write it, when the outbox delivers a deep-dive card Slack refused at first, and keeps its ts
in the same data. Before, the hook read the meeting without the lock, wrote its `data` whole
and committed, and the step's write then put back the data it had read: the card's ts was
lost (its card never redrawn again). SQLite serialises every writer, so only PostgreSQL can
interleave them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.util import await_only

from bot.emulator.stack import LocalStack
from tests.app.test_calendar_slack import open_meeting
from tests.app.test_meeting_card_answer_lost_slack import before_each_statement
from tests.app.test_refine_slack import refine, setup_team
from tests.app.test_review_outbox import refuse_post_saying


async def waiting_on_a_lock(slack: LocalStack) -> bool:
    async with slack.db.engine.connect() as conn:
        return bool(await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


async def deliver_meanwhile(slack: LocalStack) -> asyncio.Task[int]:
    """The outbox's sweep, run until it is done or waits for a lock (bounded, no clock)."""
    sweep = asyncio.create_task(slack.services.jobs.run_due())
    for _ in range(500):
        if sweep.done() or await waiting_on_a_lock(slack):
            break
        await asyncio.sleep(0.01)
    return sweep


@pytest.fixture
def before_the_step_writes(slack: LocalStack) -> Iterator[list[asyncio.Task[int]]]:
    """Once armed (an item put in the list it yields), the next write of a meeting runs the
    outbox's sweep first, from inside that write's transaction: the sweep's task replaces
    the item."""
    if slack.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises every writer: nothing interleaves")
    sweeps: list[Any] = []

    def writing(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if sweeps == ["armed"] and statement.lstrip().upper().startswith("UPDATE MEETINGS"):
            sweeps[0] = "running"
            sweeps[0] = await_only(deliver_meanwhile(slack))

    with before_each_statement(slack, writing):
        yield sweeps


async def test_a_deep_dive_cards_ts_kept_during_a_step_loses_neither(slack, before_the_step_writes):
    await setup_team(slack)
    await refine(slack, "start 45m")
    await refine(slack, "next")  # triage
    refuse_post_saying(slack, "Deep dive 1 of 3")
    await refine(slack, "next")  # the deep dive: its first card left to the outbox
    meeting = await open_meeting(slack)
    assert set(meeting.data["deep_dives"]) == {"2", "3"}

    before_the_step_writes.append("armed")
    await refine(slack, "extend 5")  # reads the meeting, then the card is delivered, then writes
    [sweep] = before_the_step_writes
    assert await sweep == 1, "the refused card delivered while the step was on its way"
    await slack.settle()

    meeting = await open_meeting(slack)
    assert [e["minutes"] for e in meeting.data["extensions"]] == [5], "the step's change"
    assert set(meeting.data["deep_dives"]) == {"1", "2", "3"}, "and the card's ts"
