"""Linked issues read again by key, outside the sync's walk of what changed, and applied as
the sync applies changes (bot.usecases.tracker_apply): ``tracker_sync`` rows that
bot.usecases.tracker_pull's ``run_sync`` hands over.

- ``issue_again``: an issue whose change failed to apply (bot.usecases.tracker_held), asked
  for on its own, backing off while it still fails.
- ``estimates_again``: every linked open issue, once the board estimates with another field
  (a Jira admin switched it: ``estimation_switched``, which the sync calls and which
  schedules the rows), so that an estimate given in the new field reaches its item.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import tracker_sync as rules
from bot.domain import trackers
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases.tracker import KIND_SYNC, job_ids, job_work, tag
from bot.usecases.tracker_apply import apply_issues, read_tracker, running_open_if_left
from bot.usecases.tracker_held import hold_back, retry_after
from bot.usecases.tracker_merge import Applied
from storage.models import TrackerConnection
from storage.repositories import Store


async def issue_again(svc: Services, due: Due) -> str:
    """An issue whose change failed to apply (``hold_back``), asked for and applied on its
    own; failing again, asked for again later (backing off). Gone from the tracker, it is
    left to the hourly look at the board."""
    key = str(due.payload["again"])

    async def read(
        tracker: trackers.Tracker,
    ) -> tuple[trackers.TrackerIssue | None, bool | None]:
        issue: trackers.TrackerIssue | None = None
        running_open: bool | None = None
        try:
            issue = await tracker.issue(key)
            running_open = await running_open_if_left(svc, due, tracker, [issue])
        except trackers.TrackerError as error:  # not found: gone, no failure to retry
            if error.kind is not trackers.TrackerErrorKind.NOT_FOUND:
                raise
        return issue, running_open

    answer = await read_tracker(svc, due, read)
    if isinstance(answer, str):
        return answer
    issue, running_open = answer
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        applied = (
            await apply_issues(store, connection, [issue], now, running_open=bool(running_open))
            if issue
            else Applied()
        )
        if key in applied.held_back:
            tries = int(due.payload.get("tries", 1)) + 1
            when = now + timedelta(seconds=retry_after(tries))
            payload = {**due.payload, "tries": tries, "failure": applied.held_back[key]}
            await store.schedule(due.kind, due.key, when, payload)
            await hold_back(store, connection, {}, now)
            return f"{key} still not applied: again at {when:%H:%M:%S}"
        await store.finish_key(due.key, now, "applied" if issue else "gone")
        await hold_back(store, connection, {}, now)  # the others still held back, if any
    return f"{key} applied" if issue else f"{key} not found"


async def estimation_switched(store: Store, connection: TrackerConnection, now: datetime) -> None:
    """The board estimates with another field than the one the connection's estimates were
    read from (``rules.estimation_switched``: Jira's settings, read again by the hourly look
    or before an estimate is written): the linked open items' links say they were read from
    the old field (``rules.estimated_with``) and their issues are read again now
    (``estimates_again``). An estimate given in the new field before the switch was noticed,
    which the syncs read from the old one, so reaches its item. Once: the connection keeps
    the new field."""
    board = connection.board or {}
    if not rules.estimation_switched(connection.estimation_field, board):
        return
    was, connection.estimation_field = connection.estimation_field, board["estimation_field"]
    if not connection.estimation_field:  # the board estimates no more: nothing to read
        return
    keys = list(await store.linked_open(connection.team_id, connection.id))
    for link in (await store.links_by_keys(connection.team_id, keys)).values():
        link.remote = rules.estimated_with(link.remote, was)
    await _estimates_row(store, connection, now, True)


async def _estimates_row(
    store: Store, connection: TrackerConnection, when: datetime, keys: list[str] | bool
) -> None:
    """A row reading linked issues again for their estimates (`keys`; True: every open one)."""
    await store.schedule_once(
        KIND_SYNC,
        f"{KIND_SYNC}:{tag(connection)}:estimates:{when:%Y%m%dT%H%M%S}",
        when,
        {**job_ids(connection), "estimates": keys},
    )


async def estimates_again(svc: Services, due: Due) -> str:
    """The linked open issues read again once the board's estimation field was switched
    (``estimation_switched``), together where the tracker can (Jira: 100 keys a search,
    rules.BATCH_PROBES a run; else rules.PROBES), the rest a minute later, and applied as the
    sync applies changes: merged again though unchanged (``rules.estimate_moved``), the new
    field's estimate taken as a change made there, the later change winning, an empty one
    no change (Timebox's written there). An issue found under a new key (moved) is the hourly
    look's."""
    async with job_work(svc, due) as (store, connection, _):
        if connection is None:
            return "skipped: not connected"
        wanted = due.payload["estimates"]
        listed = (
            sorted(await store.linked_open(connection.team_id, connection.id))
            if wanted is True
            else [str(k) for k in wanted]
        )

    async def read(
        tracker: trackers.Tracker,
    ) -> tuple[list[str], list[trackers.TrackerIssue], bool | None]:
        most = rules.BATCH_PROBES if isinstance(tracker, trackers.ReadsIssues) else rules.PROBES
        asked = listed[:most]
        found = [i for i in await trackers.issues_by_key(tracker, asked) if i.key in asked]
        return asked, found, await running_open_if_left(svc, due, tracker, found)

    answer = await read_tracker(svc, due, read)
    if isinstance(answer, str):
        return answer
    asked, found, running_open = answer
    rest = listed[len(asked) :]
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        applied = await apply_issues(store, connection, found, now, running_open=bool(running_open))
        await hold_back(store, connection, applied.held_back, now)
        if rest:
            await _estimates_row(store, connection, now + timedelta(minutes=1), rest)
        outcome = f"estimates read again: {len(found)} of {len(asked)}, {applied.changed} changed"
        await store.finish_key(due.key, now, outcome)
    return outcome
