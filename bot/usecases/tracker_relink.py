"""Connecting again to the board a disconnect left: the team's open sprints linked again to
the tracker's sprints (cycles, iterations) Timebox made for them, as their items are matched
again by their keys (bot.usecases.tracker_pull's ``_relink``). A disconnect ends those links
with the connection; without them the sync would not see a move out of the running sprint
made in the tracker, and the next sprint write would put the issue back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import tracker_sprints, trackers
from storage.models import TrackerConnection, TrackerSprintLink
from storage.repositories import Store


async def relink_sprints(
    store: Store,
    connection: TrackerConnection,
    there: Sequence[trackers.TrackerSprint],
    now: datetime,
) -> int:
    """Links each open sprint of the team that has none to its sprint among the board's open
    ones (`there`, ``tracker_sprints.found_again``), each sprint there to one of Timebox's
    at most; how many were linked. Runs in the transaction of the reconnection's first
    import page, before any item is matched again (their links still say where the sync
    last saw their issues)."""
    free = list(there)
    linked = 0
    for sprint in await store.open_sprints(connection.team_id):
        if await store.sprint_link(sprint.id) is not None:
            continue
        seen_in = []
        for held in await store.sprint_items(sprint):
            link = await store.link_of_item(held.item_id)
            remote = (link.remote or {}) if link is not None else {}
            if link is not None and remote.get("board") == connection.board_key:
                seen_in.append(remote.get("sprint_id"))
        name = tracker_sprints.sprint_name(sprint.number)
        found = tracker_sprints.found_again(name, free, seen_in)
        if found is None:
            continue
        free.remove(found)
        await store.add_sprint_link(
            TrackerSprintLink(
                connection_id=connection.id,
                sprint_id=sprint.id,
                remote_id=str(found.id),
                state=found.state.value,
                synced_at=now,
            )
        )
        linked += 1
    return linked
