"""Issues whose change Timebox failed to apply (an exception of its own while applying that
one issue): the sync takes the other changes of the page and moves on, and each such issue is
asked for again on its own later (a ``tracker_sync`` row per key, backing off as a failed
write does) until it applies. Meanwhile the connection is behind, and says since when."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain import tracker_sync as rules
from bot.domain import tracker_writes
from bot.usecases.tracker import KIND_SYNC, job_ids, tag
from storage.models import ScheduledJob, TrackerConnection
from storage.repositories import Store


def again_prefix(connection: TrackerConnection, key: str = "") -> str:
    """The keys of the rows that ask for held-back issues again (of one issue, with `key`)."""
    return f"{KIND_SYNC}:{tag(connection)}:again:{key + ':' if key else ''}"


async def hold_back(
    store: Store, connection: TrackerConnection, held: Mapping[str, str], now: datetime
) -> None:
    """Each issue of `held` (key -> what failed) asked for again later, once per issue. The
    connection's last error says in plain words which issues are still held back, if any;
    none left, the words about them go (an error of the sync's own stays)."""
    for key, failure in held.items():
        if not await store.pending_jobs(again_prefix(connection, key)):
            await store.schedule_once(
                KIND_SYNC,
                f"{again_prefix(connection, key)}{now:%Y%m%dT%H%M%S}",
                now + timedelta(seconds=retry_after(1)),
                {
                    **job_ids(connection),
                    "again": key,
                    "tries": 1,
                    "since": now.isoformat(),
                    "failure": failure,
                },
            )
    rows = await store.pending_jobs(again_prefix(connection))
    keys, _ = held_since(rows)
    if keys:
        failure = str((rows[0].payload or {}).get("failure") or "an error")
        connection.last_error = held_words(connection.kind, keys, failure)
    elif (connection.last_error or "").startswith(HELD):
        connection.last_error = None


def retry_after(tries: int) -> float:
    """Seconds before a held-back issue is asked for again: 10 s doubling to 15 minutes."""
    return tracker_writes.retry_delay(tries, retry_after=None, retryable=True)


HELD = "Timebox could not apply the change "
"""How the last error about held-back issues begins (``held_words``)."""


def held_words(kind: str, keys: Sequence[str], failure: str) -> str:
    """Why the connection is behind, for people: which issues, and that it is Timebox's."""
    where = rules.tracker_name(kind)
    return (
        f"{HELD}{where} made to {', '.join(keys)} (a problem of "
        f"Timebox's own: {failure}). It tries again on its own; every other change still "
        f"comes in."
    )


def held_since(jobs: Sequence[ScheduledJob]) -> tuple[list[str], datetime | None]:
    """The held-back issues' keys (rows of ``again_prefix``), and since when the first is."""
    payloads: list[dict[str, Any]] = [job.payload or {} for job in jobs]
    keys = sorted({str(p["again"]) for p in payloads if p.get("again")})
    since = [datetime.fromisoformat(str(p["since"])) for p in payloads if p.get("since")]
    return keys, min(since, default=None)
