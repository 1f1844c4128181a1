"""A new poll's board, its message in the channel: recorded in the durable outbox with the poll
(bot/runtime/outbox.py), in the poll's own transaction, and sent at once after the commit
(handlers/outbox.attempt). A crash before Slack answers leaves it to the outbox, which looks
for it in the channel and posts it only if it is not there.

Once Slack has it, its ts is kept on the poll (redraws and results go to it). Refused, nobody
can see the poll: it never started, and goes with its deadline jobs, so its items may be
polled again (`posted`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.domain import poker
from bot.domain.poker import Board
from bot.runtime import outbox
from storage.models import PokerPoll, Team
from storage.repositories import Store

SYNC_PREFIX = "poker-sync"
BOARD = "poker_board"  # outbox.AFTER_POST: a poll's board posted (its ts) or refused

BuildBoard = Callable[[Board], dict[str, Any]]
"""A poll's board message, as chat.postMessage arguments (but the channel)."""


async def record(
    store: Store, team: Team, poll: PokerPoll, shown: Board, build: BuildBoard, now: datetime
) -> outbox.Post:
    """The poll's board, recorded in the caller's transaction (the poll's), to send at once."""
    return await outbox.record(
        store,
        f"poker-board:{poll.id}",
        team.workspace_id,
        now,
        then=(BOARD, poll.id),
        channel=team.channel_id,
        **build(shown),
    )


async def posted(store: Store, poll_id: int, ts: str | None) -> None:
    """The poll's board reached Slack: its ts. Refused (None), the poll never started: it
    goes, with its deadline jobs. A poll whose ts is kept already is left alone."""
    poll = await store.poll(poll_id, lock=True)
    if poll is None or poll.message_ts is not None:
        return
    if ts is not None:
        poll.message_ts = ts
        return
    await store.cancel_prefix(f"poker:{poll_id}:")
    await store.delete_poll(poll_id)


outbox.AFTER_POST[BOARD] = posted


async def sync_at(store: Store, poll_id: int, rounds: Sequence[int], due: datetime) -> None:
    """A `sync` of the poll by `due`, in the caller's transaction. A sync waiting already (not
    yet claimed, so it reads the state as it is when it runs) takes these rounds in."""
    prefix = f"{SYNC_PREFIX}:{poll_id}:"
    waiting = await store.waiting_sync(poker.KIND_SYNC, prefix)
    if waiting is None:
        payload = {"poll_id": poll_id, "rounds": sorted(set(rounds))}
        await store.schedule_once(poker.KIND_SYNC, prefix + uuid.uuid4().hex, due, payload)
        return
    named = sorted({*waiting.payload.get("rounds", []), *rounds})
    sooner = min(waiting.due_at, due)
    if named != waiting.payload.get("rounds", []) or sooner != waiting.due_at:
        payload = {**waiting.payload, "rounds": named}
        await store.schedule(poker.KIND_SYNC, waiting.key, sooner, payload)
