# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Two channels connecting one board at once (two instances, each having looked before the
other connected) end with one connection: the database's unique board key refuses the second,
which is told the board is taken, in plain words. PostgreSQL only: SQLite takes transactions
in turn, so two cannot both look before either connects (tests/storage/test_tracker_board_key.py
shows its constraint refusing the second)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from bot.usecases import tracker_connect
from tests.app.test_tracker_slack import open_connect_form
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import answer_to_form, jira_form, roles
from tests.conftest import CHANNEL, PO

OTHER = "C0OTHER"
OTTO = "U0OTTO"  # #other's Product Owner
TAKEN = "connected to another Timebox channel already"


def both_look_first(monkeypatch: Any) -> None:
    """Each connect's look for the board (``_taken``) answers only once both have looked:
    both see it free, as two instances confirming within the same second do."""
    real: Callable[..., Awaitable[list[Any]]] = tracker_connect._taken
    looked: list[int] = []
    both = asyncio.Event()

    async def together(store: Any, board: Any, team_id: int) -> list[Any]:
        answer = await real(store, board, team_id)
        if team_id not in looked:
            looked.append(team_id)
            if len(looked) == 2:
                both.set()
            await both.wait()
        return answer

    monkeypatch.setattr(tracker_connect, "_taken", together)


async def test_two_channels_connecting_one_board_at_once_get_one_connection_one_refusal(
    slack: LocalStack, jira, monkeypatch
):
    if slack.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes transactions in turn")
    seed_board(jira)
    slack.emulator.add_user(OTTO, "otto", real_name="Otto Other")
    slack.emulator.add_channel(OTHER, "other-team", members=[OTTO, "UBOT"])
    await roles(slack)
    await slack.driver.command("/timebox", f"roles po <@{OTTO}>", user=OTTO, channel=OTHER)
    owners = {CHANNEL: PO, OTHER: OTTO}
    forms = {c: await open_connect_form(slack, user, c) for c, user in owners.items()}
    both_look_first(monkeypatch)

    await asyncio.gather(
        *(slack.driver.submit(forms[c], jira_form(jira), user=user) for c, user in owners.items())
    )
    await slack.settle()

    answers = [answer_to_form(slack, user, c) for c, user in owners.items()]
    async with slack.db.transaction() as store:
        teams = [await store.team("T0TEAM", channel) for channel in (CHANNEL, OTHER)]
        kept = [await store.connection(team.id) for team in teams if team is not None]
    assert sum(c is not None for c in kept) == 1, f"one connection: {answers}"
    refused = [a for a, c in zip(answers, kept, strict=True) if c is None]
    assert len(refused) == 1 and TAKEN in refused[0], answers
