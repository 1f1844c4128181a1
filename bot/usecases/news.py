"""News for a team's channel (a renegotiation, a sprint closed, a team set up, a tracker
unreachable), told through the durable outbox in the transaction of the change it tells: sent
once that commits, never lost to a Slack call that failed after it, never sent twice.

Use cases do not render: the app registers how each kind of news is worded, as
chat.postMessage's arguments (handlers/jobs.py), as the process registers the tracker openers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from bot.runtime import outbox
from storage.models import Team
from storage.repositories import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

Worded = dict[str, Any] | list[dict[str, Any]]
"""chat.postMessage's arguments (but the channel) of one post, or of several in order."""

_WORDING: dict[type, Callable[[Any], Worded]] = {}


def register_wording(news: type[T], word: Callable[[T], Worded]) -> None:
    """How a kind of news is worded in its channel."""
    _WORDING[news] = word


def _worded(team: Team, news: Any) -> list[dict[str, Any]] | None:
    word = _WORDING.get(type(news))
    if word is None:
        log.warning("no wording for %s: channel %s not told", type(news).__name__, team.id)
        return None
    said = word(news)
    return said if isinstance(said, list) else [said]


async def tell_channel(store: Store, team: Team, key: str, now: datetime, news: Any) -> bool:
    """`news` for the team's channel, put in the durable outbox under `key` in the caller's
    transaction: sent once it commits, never twice. False (and a log line) when nothing
    words it."""
    said = _worded(team, news)
    if said is None:
        return False
    for n, args in enumerate(said):
        name = key if n == 0 else f"{key}:{n}"
        await outbox.enqueue(store, name, team.workspace_id, now, channel=team.channel_id, **args)
    return True


async def record_for_channel(
    store: Store,
    team: Team,
    key: str,
    now: datetime,
    news: Any,
    thread_ts: str | None = None,
) -> list[outbox.Post]:
    """`news` for the team's channel (in `thread_ts`, unless its wording says where), recorded
    in the outbox under `key` in the caller's transaction, for the caller to send at once
    after the commit (handlers/outbox.send_all): a crash before Slack answers leaves it to be
    settled, a refusal to the outbox's retries. Nothing (and a log line) when nothing words
    it."""
    posts: list[outbox.Post] = []
    for n, args in enumerate(_worded(team, news) or []):
        where: dict[str, Any] = {"channel": team.channel_id}
        if thread_ts is not None:
            where["thread_ts"] = thread_ts
        name = f"{key}:{n}"
        posts.append(await outbox.record(store, name, team.workspace_id, now, **{**where, **args}))
    return posts
