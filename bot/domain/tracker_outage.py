"""When a tracker that does not answer is an outage its channel is told of.

A tracker down or not answering (5xx, timeouts, no connection) is retried without end, and a
blip of a few minutes heals unnoticed. An outage is sustained failure of what runs every few
minutes whatever the team does: the connection's sync (or its import). A write that one issue
keeps failing while the syncs get through is its item's trouble, which the item shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.trackers import TrackerErrorKind

OUTAGE_AFTER = timedelta(hours=1)
"""How long the syncs fail before the channel is told: a vendor's incident of a few minutes
is common and heals by itself, carried through by Timebox's retries (backing off to every 15
minutes); an hour is twelve missed 5-minute syncs and four of the slowest retries, long enough
that people see the tracker lag behind what is planned here, and wonder."""
OUTAGE_TRIES = 3
"""Failed tries in a row it takes besides: an hour between two tries (Timebox itself down
meanwhile) says nothing of the hour."""
UNREACHABLE = "unreachable"  # a connection's status while its tracker has long not answered

_OUT_OF_REACH = frozenset({TrackerErrorKind.UNAVAILABLE, TrackerErrorKind.TIMEOUT})


def out_of_reach(
    kind: TrackerErrorKind,
    *,
    sync: bool,
    tries: int,
    since: datetime,
    last_sync: datetime | None,
    now: datetime,
) -> bool:
    """Whether a failed call of kind `kind` (the tracker down or not answering) makes an
    outage: a `sync` (or an import) that has failed `tries` times in a row since `since`, at
    least ``OUTAGE_TRIES`` times over ``OUTAGE_AFTER`` or more, with no sync through since
    then (`last_sync`: the latest one that was)."""
    if not sync or kind not in _OUT_OF_REACH or tries < OUTAGE_TRIES:
        return False
    if now - since < OUTAGE_AFTER:
        return False
    return last_sync is None or last_sync <= since
