"""A post recorded in the outbox under a key recorded before is not sent again.

`outbox.record` leaves a key recorded before alone; the post it hands back says so (not
`fresh`), and `send` / `send_all` skip it: it is the earlier attempt's to send, or the
outbox's to settle. Before, it was posted once more whatever the first had done.

The case here: two quick `next`s in a refinement. The first moves on to triage, and while
Slack is slow to answer its agenda edit, the second moves on to the deep dive and opens it.
When the first goes on, the section it opens is the meeting's section as it is now, the deep
dive, whose cards are recorded already (and posted): before, they were posted twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread

HELD = 30.0  # seconds the emulator holds Slack's answer: released by the test
pytestmark = pytest.mark.usefixtures("release_held")  # see tests/conftest.py


async def until(condition: Callable[[], bool], what: str) -> None:
    """Work on its way (a real request, listener work after its ack): bounded, no clock."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"never: {what}")


def deep_dives(slack: LocalStack) -> list[str]:
    return [shown(m) for m in thread(slack) if "*Deep dive " in shown(m) and " of " in shown(m)]


async def test_a_section_a_later_step_opened_first_is_not_posted_twice(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    edits = slack.emulator.calls_to
    settle, slack.driver.settle = slack.driver.settle, None  # commands return at their ack
    try:
        slack.emulator.delay_next("chat.update", HELD, applied=True)  # the agenda's edit
        await refine(slack, "next")  # kick-off → triage: committed, then held at the edit
        await until(lambda: any(c.held for c in edits("chat.update")), "the edit is held")
        await refine(slack, "next")  # triage → the deep dive, opened at once
        await until(lambda: slack.services.inflight.busy == 1, "only the first is left")
    finally:
        slack.driver.settle = settle
    assert "*Deep dive*" in shown(agenda_message(slack))
    opened = deep_dives(slack)
    assert len(opened) == 3, opened

    slack.emulator.release_held()
    await slack.settle()  # the first goes on: the section it opens is the deep dive
    assert deep_dives(slack) == opened, "its cards, recorded before, are not posted again"
