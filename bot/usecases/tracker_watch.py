"""The tracker's sprint of the running sprint, watched by the regular sync: still open
there, or closed there meanwhile by someone, which is told once and stops Timebox writing
that sprint's scope there (bot.domain.tracker_sprints.CLOSED_THERE)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.domain import sprints as sprint_rules
from bot.domain import tracker_sprints, trackers
from bot.domain.teams import Roles
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import sprints
from bot.usecases.news import tell_channel
from bot.usecases.tracker import (
    SprintClosedThere,
    after_scope_change,
    job_work,
    tag,
    webhook_sync_prefix,
)
from bot.usecases.tracker_merge import Running
from storage.models import Sprint, Team, TrackerConnection, TrackerSprintLink
from storage.repositories import Store

log = logging.getLogger(__name__)


async def still_open(svc: Services, due: Due, tracker: trackers.Tracker, running: Running) -> bool:
    """Whether the tracker's sprint of the `running` sprint is still open there (among the
    board's sprints, not closed: a cycle or iteration yet to start is open too): one call
    (``board_sprints``). Open under a new id (``tracker_sprints.open_under``: a GitHub
    iteration after any write of the project's iteration field), its link follows it there,
    so the issues the sync sees in it are in the running sprint still."""
    now_id = tracker_sprints.open_under(
        await tracker.board_sprints(), running.remote_id, running.name
    )
    if now_id is not None and now_id != running.remote_id:
        async with job_work(svc, due) as (store, connection, _):
            watched = await _watched(store, connection) if connection is not None else None
            if watched is not None and watched[0].remote_id == running.remote_id:
                log.info(
                    "tracker connection %s: %s is %s there now (was %s)",
                    watched[0].connection_id,
                    running.name,
                    now_id,
                    running.remote_id,
                )
                watched[0].remote_id = now_id
    return now_id is not None


async def watch_running(svc: Services, due: Due, tracker: trackers.Tracker) -> None:
    """A regular sync (not a webhook's) looks whether the tracker's sprint of the running
    sprint is still open there (one call, ``still_open``, while it is known open); closed
    there meanwhile by someone, it is ``_closed_there``."""
    async with job_work(svc, due) as (store, connection, _):
        regular = connection is not None and not due.key.startswith(webhook_sync_prefix(connection))
        watched = await _watched(store, connection) if regular else None
        running = None
        if watched is not None:
            known, sprint, _ = watched
            running = Running(known.remote_id, name=tracker_sprints.sprint_name(sprint.number))
    if running is None or await still_open(svc, due, tracker, running):
        return
    async with job_work(svc, due) as (store, connection, now):
        if connection is not None:
            await _closed_there(store, connection, running.remote_id, now)


async def _watched(
    store: Store, connection: TrackerConnection
) -> tuple[TrackerSprintLink, Sprint, Team] | None:
    """The running sprint's sprint in this tracker, made by Timebox's sprint write and not yet
    seen closed there (``tracker_sprints.CLOSED_THERE``): its link, the sprint and its team."""
    team = await store.team_by_id(connection.team_id)
    sprint = await sprints.active(store, team) if team is not None else None
    known = await store.sprint_link(sprint.id) if sprint is not None else None
    if team is None or sprint is None or known is None or known.connection_id != connection.id:
        return None
    return None if known.state == tracker_sprints.CLOSED_THERE else (known, sprint, team)


async def _closed_there(
    store: Store, connection: TrackerConnection, remote_id: str, now: datetime
) -> None:
    """The tracker's sprint `remote_id` of the running sprint is closed there while Timebox's
    runs: its link says so, so that no sprint write moves issues in or out of it any more
    (the tracker refuses it), and a sprint write is queued, which lands doing nothing there
    and so ends what its items say of writes it refused. Closed before the sprint's planned
    end (its last evening), the channel is told once what it means and what to do; after it
    (a Linear cycle completes at its end, a GitHub iteration ends), that is no news."""
    watched = await _watched(store, connection)
    if watched is None or watched[0].remote_id != remote_id:
        return  # closed here meanwhile, or seen already
    known, sprint, team = watched
    known.state = tracker_sprints.CLOSED_THERE
    await after_scope_change(store, team, sprint, now)
    _, end = tracker_sprints.sprint_times(
        sprint.starts_on, sprint_rules.last_day(team, sprint), team.timezone
    )
    log.info("tracker connection %s: sprint %s closed there", connection.id, sprint.number)
    if now >= end:
        return
    roles = Roles.of(team)
    news = SprintClosedThere(
        connection.kind,
        connection.board_id,
        sprint.number,
        tuple(dict.fromkeys(roles.po + roles.sm)),
    )
    await tell_channel(
        store, team, f"tracker_sprint_closed:{tag(connection)}:s{sprint.id}", now, news
    )
