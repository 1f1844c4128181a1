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

_WORDING: dict[type, Callable[[Any], dict[str, Any]]] = {}


def register_wording(news: type[T], word: Callable[[T], dict[str, Any]]) -> None:
    """How a kind of news is worded in its channel."""
    _WORDING[news] = word


async def tell_channel(store: Store, team: Team, key: str, now: datetime, news: Any) -> bool:
    """`news` for the team's channel, put in the durable outbox under `key` in the caller's
    transaction: sent once it commits, never twice. False (and a log line) when nothing
    words it."""
    word = _WORDING.get(type(news))
    if word is None:
        log.warning("no wording for %s: channel %s not told", type(news).__name__, team.id)
        return False
    args = word(news)
    await outbox.enqueue(store, key, team.workspace_id, now, channel=team.channel_id, **args)
    return True
