"""The 3-s ack check measures the app, not the test process's garbage collector.

The app runs inside pytest, whose heap (every collected test module, earlier tests' leftovers)
is far larger than a `timebox run` process's, which freezes what start-up built
(bot/process/server.py). A full collection over that heap took 0.4-0.6 s of CPU and 1-2.3 s
on a busy machine, stopped the one event loop the app and the driver share, and counted in
whichever ack it fell into: in a full run two acks came at 3,034 and 3,583 ms. The harness
keeps the collector out of the time the stack serves requests (`running` in tests/conftest.py).
"""

from __future__ import annotations

import gc
from typing import Any

from bot.emulator.stack import LocalStack
from tests.conftest import CHANNEL, PO, running


async def test_no_collection_runs_while_the_stack_answers(slack: LocalStack) -> None:
    """Requests answered with a heap full of young objects start no collection: none can
    land inside an ack. After the stack stops, the collector is on again."""
    collections: list[dict[str, Any]] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info)

    gc.callbacks.append(seen)
    try:
        young = [[n] for n in range(50_000)]  # far past the collector's first threshold
        for _ in range(3):
            ack = await slack.driver.command("/backlog", "", user=PO, channel=CHANNEL)
            assert ack.status == 200
        del young
    finally:
        gc.callbacks.remove(seen)
    assert collections == [], f"{len(collections)} collections while the stack answered"


async def test_the_collector_is_on_again_once_the_stack_has_stopped(db, clock) -> None:
    """The collector's pause ends with the stack: between tests it frees what they left."""
    was = gc.isenabled()
    async with running(LocalStack(db, clock)):
        pass
    assert gc.isenabled() == was
