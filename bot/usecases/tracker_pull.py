"""The tracker's issues brought into a channel's backlog: the import and the sync, as due work
(see bot.usecases.tracker for what both directions share). How each job reads its tracker
and applies the issues it read is bot.usecases.tracker_apply's.

- ``tracker_import``: the board's backlog in rank order, one page (100 issues) per row, each
  page applied in its own transaction; the next page is the next row.
- ``tracker_sync``: the issues changed since the watermark, paged; every few minutes per
  connection, and right after a webhook (one per distinct delivery, keyed by its digest: a
  replay adds nothing; the first to run absorbs the others waiting). Calls grow with what
  changed, not with the board.
  When a changed issue was reordered in the tracker (its rank token changed), when a webhook
  says so, and hourly, it also reads the board's keys in order (``backlog_keys``: one call per
  5,000 issues on Jira) to put the backlog in the board's order and to find linked issues that
  are gone: they are asked for (``trackers.issues_asked``: 100 a search on Jira); deleted
  (not found) or off the board, its item is unlinked with a history line, and archived if it
  was on the backlog. A webhook naming a deleted issue has that one asked for at once. A
  board found estimating with another field (a Jira admin switched it) has its linked
  issues read again once (bot.usecases.tracker_reread's ``estimates_again``).

A change of status of an item the running sprint holds goes through the sprint
(bot.usecases.tracker_merge): done in the tracker finishes it as `/sprint done` does (before
a sprint committed ahead of its slot began: it leaves the sprint as a scope change, done on
the backlog), reopened there unfinishes it, closed there as not planned takes it out as a
scope change and archives it. An issue whose change fails to apply is held back alone
(bot.usecases.tracker_held) and asked for again later (bot.usecases.tracker_reread's
``issue_again``); the rest of its page is applied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.domain import calendar, tracker_order, tracker_writes, trackers
from bot.domain import tracker_sync as rules
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import poker
from bot.usecases.tracker import (
    KIND_IMPORT,
    KIND_SYNC,
    after_add,
    connection_lock,
    job_connection,
    job_failed,
    job_ids,
    job_work,
    moving_items,
    never_dropped,
    tag,
    unlink_gone,
    webhook_sync_prefix,
    working_again,
)
from bot.usecases.tracker_apply import (
    apply_issues,
    left_running,
    open_for,
    read_tracker,
    running_open_if_left,
)
from bot.usecases.tracker_held import hold_back
from bot.usecases.tracker_merge import Applied
from bot.usecases.tracker_relink import relink_sprints
from bot.usecases.tracker_reread import estimates_again, estimation_switched, issue_again
from bot.usecases.tracker_watch import still_open, watch_running
from storage.models import TrackerConnection, TrackerLink
from storage.repositories import Store

# -- due work: import, sync --------------------------------------------------------------------


@never_dropped
async def run_import(svc: Services, due: Due) -> str:
    """One page of the board's backlog, applied in the board's order; then the next page;
    after the last, a reconnection's kept keys (``_relink``)."""
    if "relink" in due.payload:
        return await _relink(svc, due)
    page_number = int(due.payload.get("page", 0))
    reconnecting = bool(due.payload.get("reconnect")) and page_number == 0

    async def read(
        tracker: trackers.Tracker,
    ) -> tuple[trackers.IssuePage, list[trackers.TrackerSprint]]:
        page = await tracker.backlog_page(due.payload.get("cursor"))
        there = await tracker.board_sprints() if reconnecting else []
        return page, there

    answer = await read_tracker(svc, due, read)
    if isinstance(answer, str):
        return answer
    page, there = answer
    drift = bool(due.payload.get("drift")) or _shifted(page, page_number, due)
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        sprints_linked = 0
        if reconnecting:  # before any item is matched again: their links say where they were
            sprints_linked = await relink_sprints(store, connection, there, now)
        position = int(due.payload.get("position", 1))
        applied = await apply_issues(store, connection, page.issues, now, first_position=position)
        connection.imported += len(page.issues)
        connection.last_error = None
        await hold_back(store, connection, applied.held_back, now)
        await working_again(store, connection, now)
        if page.cursor is not None:
            await store.schedule_once(
                KIND_IMPORT,
                f"{KIND_IMPORT}:{tag(connection)}:{page_number + 1}",
                now,
                {
                    **job_ids(connection),
                    "cursor": page.cursor,
                    "page": page_number + 1,
                    "position": position + len(page.issues),
                    "reconnect": bool(due.payload.get("reconnect")),
                    "drift": drift,
                },
            )
        else:
            await _after_import(
                store, connection, replace(due, payload={**due.payload, "drift": drift}), now
            )
        await store.finish_key(due.key, now, f"imported {len(page.issues)}")
    linked_again = f", {sprints_linked} sprint(s) linked again" if sprints_linked else ""
    return f"page {page_number}: {len(page.issues)} issues, {applied.added} new{linked_again}"


RELINK_PAGE = 50
"""Issues asked for by key per row once the backlog is imported (one search on Jira, else one
call each: ``trackers.issues_by_key``)."""

IMPORT_GAP = timedelta(seconds=5)
"""A page of the import read this long after the one before it (or after a failure) may
find the board shifted (``_waited``)."""


def _shifted(page: trackers.IssuePage, page_number: int, due: Due) -> bool:
    """Whether the board may have shifted under the import before this page was read, so
    an issue at the page's edge was read by no page: the import is then followed by a look
    for what it missed (``_adopt``). A page that checked (Jira's: ``shifted``, the page
    starting on the last issue of the one before) says so, waited or not; else a page read
    after a wait is taken to have (``_waited``)."""
    if page.shifted is not None:
        return page.shifted
    return page_number > 0 and _waited(due)


def _waited(due: Due) -> bool:
    """Whether an import page was read after a wait (a failure tried again, a queue late by
    ``IMPORT_GAP``): the backlog is paged by position, so an issue closed or planned in the
    tracker meanwhile shifts the board and the issue at the page's edge is not read."""
    return "failing_since" in due.payload or due.late > IMPORT_GAP


async def kept_links(store: Store, team_id: int, board_key: str | None) -> list[TrackerLink]:
    """The links a disconnect of this board left (no connection, their key kept), whatever
    the item's status or sprint: connecting again to the same board relinks them. A link
    marked with another board (``board`` in its ``remote``, set at the disconnect) is not
    this board's issue; one left before the mark was kept is taken."""
    items = await store.all_items(team_id, include_closed=True)
    links = [item.tracker_link for item in items if item.tracker_link is not None]
    return [
        link
        for link in links
        if link.key
        and link.connection_id is None
        and (link.remote or {}).get("board", board_key) == board_key
    ]


async def _after_import(
    store: Store, connection: TrackerConnection, due: Due, now: datetime
) -> None:
    """The backlog imported: on a reconnection, the issues of the keys the items still
    carry that the backlog did not hold (in a sprint, done, ...) are asked for by key,
    ``RELINK_PAGE`` a row (``_relink``); then the connection is in step."""
    reconnect = bool(due.payload.get("reconnect"))
    kept = await kept_links(store, connection.team_id, connection.board_key) if reconnect else []
    if not kept:
        await _in_step(store, connection, due, now)
        return
    await _schedule_relink(store, connection, due, [link.key or "" for link in kept], 0, now)


async def _schedule_relink(
    store: Store,
    connection: TrackerConnection,
    due: Due,
    keys: list[str],
    page: int,
    now: datetime,
) -> None:
    """A row of the reconnection's kept keys (``_relink``); the import's `drift` goes on."""
    payload = {**job_ids(connection), "relink": keys, "page": page, "reconnect": True}
    await store.schedule_once(
        KIND_IMPORT,
        f"{KIND_IMPORT}:{tag(connection)}:relink:{page}",
        now,
        {**payload, "drift": bool(due.payload.get("drift"))},
    )


async def _in_step(store: Store, connection: TrackerConnection, due: Due, now: datetime) -> None:
    """The import (and relink) done: the connection syncs from now on; on a reconnection,
    the items made in Timebox while it was apart (no link, added after the first import's
    items) are created in the tracker as `/backlog add` creates one."""
    connection.status = "connected"
    connection.last_sync_at = now
    await _chain(store, connection, now, adopt=bool(due.payload.get("drift")))
    if not due.payload.get("reconnect"):
        return
    team = await store.team_by_id(connection.team_id)
    assert team is not None
    items = await store.all_items(connection.team_id, include_closed=True)
    keyed = [i.number for i in items if i.tracker_link is not None and i.tracker_link.key]
    first = min(keyed, default=None)
    for item in sorted(items, key=lambda i: i.number):
        made_apart = first is not None and item.number > first and item.tracker_link is None
        if made_apart and item.archived_at is None and item.status != "done":
            await after_add(store, team, item, now)


async def _relink(svc: Services, due: Due) -> str:
    """One row of a reconnection's keys, asked for (``trackers.issues_by_key``) and applied
    (matched by key: relinked and merged, the later change winning); a key the tracker no
    longer has stays unlinked. Then the next row, or the connection is in step."""
    keys = [str(k) for k in due.payload.get("relink", [])]
    asked, rest = keys[:RELINK_PAGE], keys[RELINK_PAGE:]
    found = await read_tracker(svc, due, lambda tracker: trackers.issues_by_key(tracker, asked))
    if isinstance(found, str):
        return found
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        applied = await apply_issues(store, connection, found, now) if found else Applied()
        await hold_back(store, connection, applied.held_back, now)
        if rest:
            page = int(due.payload.get("page", 0)) + 1
            await _schedule_relink(store, connection, due, rest, page, now)
        else:
            await _in_step(store, connection, due, now)
        await store.finish_key(due.key, now, f"relinked {len(found)} of {len(asked)}")
    return f"relink: {len(found)} of {len(asked)} found, {applied.changed} changed"


@dataclass
class _Walked:
    """What one sync did, for its outcome."""

    changed: int = 0
    reranked: bool = False
    moved: int = 0
    unlinked: int = 0
    adopted: int = 0  # board issues the import missed, imported by the look after it

    def outcome(self) -> str:
        words = f"{self.changed} changed"
        if self.adopted:
            words += f", {self.adopted} imported from the board"
        if self.moved:
            words += f", {self.moved} moved to the board's order"
        if self.unlinked:
            words += f", {self.unlinked} unlinked"
        return words


@never_dropped
async def run_sync(svc: Services, due: Due) -> str:
    """What changed on the board since the watermark, page after page, each page in its own
    transaction (the watermark moves with it, so a restart resumes there); then, if asked or
    if an issue was reordered, the board's order and the issues gone from it; then the row is
    finished and the next one chained. A webhook's sync first takes in the other webhook
    syncs waiting (``_absorb``)."""
    if due.key.startswith(f"{KIND_SYNC}:{due.payload.get('tag')}:hook:"):
        absorbing = await _absorb(svc, due)
        if absorbing is None:
            return "absorbed by another webhook's sync"
        due = absorbing
    if "again" in due.payload:
        return await issue_again(svc, due)
    if "estimates" in due.payload:
        return await estimates_again(svc, due)
    return await _sync(svc, due)


async def _absorb(svc: Services, due: Due) -> Due | None:
    """A webhook's sync, as it starts, finishes the connection's other webhook syncs still
    waiting and joins their hints (issues to ask for, the board's order) to its own: their
    deliveries came before its walk of changes, which therefore covers them. None when this
    one was absorbed meanwhile by another. (One per connection at a time in this process; one
    running on another instance meanwhile just runs on: twice is harmless, never too few.)"""
    async with (
        connection_lock(int(due.payload["connection"]), "absorb"),
        svc.db.transaction() as store,
    ):
        now = svc.clock.now()
        connection = await job_connection(store, due.payload)
        if connection is None:
            return due  # the sync finds it gone, and says so
        waiting = await store.pending_jobs(webhook_sync_prefix(connection))
        if due.key not in {job.key for job in waiting}:
            return None
        gone = dict.fromkeys(str(k) for k in due.payload.get("gone") or [])
        keys = bool(due.payload.get("keys"))
        for job in waiting:
            if job.key == due.key:
                continue
            gone.update(dict.fromkeys(str(k) for k in (job.payload or {}).get("gone") or []))
            keys |= bool((job.payload or {}).get("keys"))
            await store.finish_key(job.key, now, f"absorbed by {due.key}")
    payload = dict(due.payload)
    if gone:
        payload["gone"] = list(gone)
    if keys:
        payload["keys"] = True
    return replace(due, payload=payload)


@never_dropped
async def _sync(svc: Services, due: Due) -> str:
    opened = await open_for(svc, due)
    if isinstance(opened, str):
        return opened
    tracker, since, used = opened
    walked = _Walked()
    try:
        async with contextlib.aclosing(tracker):
            if not await _walk_changes(svc, due, tracker, since, walked):
                return "skipped: not connected"
            gone = [str(k) for k in due.payload.get("gone") or []]
            if named := await _linked_keys(svc, due, gone):
                await _probe(svc, due, tracker, named, None, walked)
            if due.payload.get("keys") or walked.reranked:
                await _follow_board(svc, due, tracker, walked)
            await watch_running(svc, due, tracker)
    except trackers.TrackerError as error:
        if walked.reranked:  # the changes are applied: the order must still come
            due = replace(due, payload={**due.payload, "keys": True})
        return await job_failed(svc, due, None, error, used)
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        if learnt := rules.newly_learnt(connection.board or {}, tracker.snapshot()):
            connection.board = {**(connection.board or {}), **learnt}
        await estimation_switched(store, connection, now)
        await store.finish_key(due.key, now, walked.outcome())
        if due.payload.get("chain") or due.payload.get("chain_keys"):
            await _chain(store, connection, now)
    return walked.outcome()


async def _walk_changes(
    svc: Services, due: Due, tracker: trackers.Tracker, since: datetime, walked: _Walked
) -> bool:
    """Applies the changed issues page by page, each in one transaction; False if the
    connection is gone. When an issue left the tracker's sprint of the running sprint
    (``left_running``, looked at in the page's transaction), the tracker is asked once
    whether that sprint is still open (``still_open``), outside it, before the page is
    applied in the next."""
    cursor: str | None = None
    running_open: bool | None = None
    while True:
        page = await tracker.changes_page(since, cursor)
        while True:
            async with job_work(svc, due) as (store, connection, now):
                if connection is None:
                    return False
                left = None
                if running_open is None:
                    left = await left_running(store, connection, page.issues)
                if left is None:
                    await _apply_page(store, connection, page, now, bool(running_open), walked)
                    break
            running_open = await still_open(svc, due, tracker, left)
        walked.changed += len(page.issues)
        if page.cursor is None:
            return True
        cursor = page.cursor


async def _apply_page(
    store: Store,
    connection: TrackerConnection,
    page: trackers.IssuePage,
    now: datetime,
    running_open: bool,
    walked: _Walked,
) -> None:
    """A page of changes applied; the watermark moves with it, and the connection works."""
    applied = await apply_issues(store, connection, page.issues, now, running_open=running_open)
    walked.reranked |= applied.reranked
    if page.watermark is not None and (
        connection.watermark is None or page.watermark > connection.watermark
    ):
        connection.watermark = page.watermark
    connection.last_sync_at = now
    connection.last_error = None
    await hold_back(store, connection, applied.held_back, now)
    await working_again(store, connection, now)


async def _follow_board(
    svc: Services, due: Due, tracker: trackers.Tracker, walked: _Walked
) -> None:
    """The board's keys in order (one call per 5,000 issues on Jira): the backlog's linked
    items follow that order (rules.follow_board: the fewest moves, each in the history; an
    item whose move in Timebox was not in the tracker yet when the keys were read, or is
    not now, stays: the keys show it where it was), and linked open items whose key is not
    on the board any more are asked for (``_probe``: up to rules.PROBES a run, or
    rules.BATCH_PROBES where the tracker reads many in a call)."""
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            return
        moving = await moving_items(store, connection)
    keys = await tracker.backlog_keys()
    if due.payload.get("adopt"):
        await _adopt(svc, due, tracker, keys, walked)
    asked_at = svc.clock.now()
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            return
        order = await store.backlog_ranks(connection.team_id, connection.id)
        moving |= await moving_items(store, connection)
        moves, ranks = tracker_order.follow_board(order, keys, moving)
        if ranks:
            items = await store.items_by_ids(connection.team_id, list(ranks))
            for item_id, rank in ranks.items():
                if item_id in items:
                    items[item_id].rank = rank
            who = rules.actor(connection.kind)
            for move in moves:
                if move.item_id in items:
                    position = [move.old, move.new]
                    store.log(items[move.item_id], who, "moved", asked_at, position=position)
        walked.moved += len(moves)
        await drop_gone_blockers(store, connection, asked_at)  # also those unlinked before
        on_board = set(keys)
        missing = sorted(k for k in await store.linked_open(connection.team_id, connection.id))
        missing = [k for k in missing if k not in on_board]
        if missing and not keys:
            where = rules.tracker_name(connection.kind)
            connection.last_error = (
                f"{where} shows no open issue on the board, so Timebox unlinked nothing: check "
                f"that the {where} account can still see the board's issues."
            )
            return
        most = rules.BATCH_PROBES if isinstance(tracker, trackers.ReadsIssues) else rules.PROBES
        if len(missing) > most:  # the rest in a minute, not in an hour
            when = asked_at + timedelta(minutes=1)
            await store.schedule_once(
                KIND_SYNC,
                f"{KIND_SYNC}:{tag(connection)}:more:{when:%Y%m%dT%H%M%S}",
                when,
                {**job_ids(connection), "keys": True},
            )
    if missing:
        await _probe(svc, due, tracker, missing[:most], (on_board, asked_at), walked)


async def _adopt(
    svc: Services, due: Due, tracker: trackers.Tracker, keys: Sequence[str], walked: _Walked
) -> None:
    """The first look at the board after an import that waited between pages (``_waited``;
    ``adopt`` in the row: True, or the keys still to ask) imports the board's issues that no
    item links, as the sync imports a new one (``rules.is_new``: backlog issues only). The
    import reads the backlog by position, so an issue closed or planned in the tracker
    between two of its pages shifts the board, and the issue at the page's edge is never
    read; unchanged since, no sync brings it in either.
    Each key is asked for once, together where the tracker reads many in a call (Jira: 100
    a search; ``rules.BATCH_PROBES`` a run), else one by one (``rules.PROBES`` a run); the
    rest a minute later. One that is no backlog issue (an epic, a sub-task, planned in a
    sprint) stays out until it changes, when the sync sees it. An issue some item links,
    through any connection, is never imported again."""
    wanted = due.payload["adopt"]
    on_board = set(keys)
    listed = list(keys) if wanted is True else [str(k) for k in wanted if k in on_board]
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return
        links = await store.links_by_keys(connection.team_id, listed)
        unlinked = [k for k in listed if k not in links]
        most = rules.BATCH_PROBES if isinstance(tracker, trackers.ReadsIssues) else rules.PROBES
        asked, rest = unlinked[:most], unlinked[most:]
        if rest:
            when = now + timedelta(minutes=1)
            await store.schedule_once(
                KIND_SYNC,
                f"{KIND_SYNC}:{tag(connection)}:adopt:{when:%Y%m%dT%H%M%S}",
                when,
                {**job_ids(connection), "keys": True, "adopt": rest},
            )
    found = await trackers.issues_by_key(tracker, asked)
    if not found:
        return
    running_open = await running_open_if_left(svc, due, tracker, found)
    async with job_work(svc, due) as (store, connection, now):
        if connection is None:
            return
        applied = await apply_issues(store, connection, found, now, running_open=bool(running_open))
        await hold_back(store, connection, applied.held_back, now)
        walked.adopted += applied.added


async def _linked_keys(svc: Services, due: Due, keys: list[str]) -> list[str]:
    """Which of `keys` (a webhook's) name items linked through this connection: only those
    are worth asking the tracker about."""
    if not keys:
        return []
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            return []
        links = await store.links_by_keys(connection.team_id, keys)
        return [k for k in keys if k in links and links[k].connection_id == connection.id]


async def _probe(
    svc: Services,
    due: Due,
    tracker: trackers.Tracker,
    keys: Sequence[str],
    board: tuple[set[str], datetime] | None,
    walked: _Walked,
) -> None:
    """Asks for linked issues, together where the tracker reads many in a call (Jira: a search
    for 100 keys), else one by one, by their tracker's id too where the link keeps it (Linear
    answers a moved issue by its id only): ``trackers.issues_asked``. Not found: deleted (or
    hidden from the account). Found done, or on the board after all: applied as a change.
    Found off the board (`board`: the keys just read, and when): moved away (under a new key:
    said so), unless it changed just now (judged next time). A webhook's named key (`board`
    None) is only checked for deletion."""
    ids = await _issue_ids(svc, due, keys)
    found = await trackers.issues_asked(tracker, {key: ids.get(key, "") for key in keys})
    running_open = await running_open_if_left(svc, due, tracker, [i for i in found.values() if i])
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            return
        links = await store.links_by_keys(connection.team_id, list(found))
        items = await store.items_by_ids(connection.team_id, [x.item_id for x in links.values()])
        team = await store.team_by_id(connection.team_id)
        shown_in = calendar.zone(team) if team is not None else UTC
        changed, archived, unlinked = [], [], 0
        for key, issue in found.items():
            link = links.get(key)
            if link is None or link.connection_id != connection.id:
                continue
            verdict = tracker_writes.probe_verdict(issue, board)
            if verdict == tracker_writes.APPLY and issue is not None:
                changed.append(issue)
            elif verdict is not None:
                item = items.get(link.item_id)
                # the tracker answered the old key with the issue under a new one: moved there
                moved_to = issue.key if issue is not None and issue.key != key else None
                kind = connection.kind
                gone = unlink_gone(store, kind, link, item, verdict, now, shown_in, moved_to)
                if gone.archived and item:
                    archived.append(item.number)
                unlinked += 1
        walked.unlinked += unlinked
        await poker.backlog_changed(store, connection.team_id, archived, now)  # polls shown again
        if unlinked:  # the items they blocked are not blocked by them any more
            await drop_gone_blockers(store, connection, now)
        if changed:
            applied = await apply_issues(
                store, connection, changed, now, running_open=bool(running_open)
            )
            await hold_back(store, connection, applied.held_back, now)


async def _issue_ids(svc: Services, due: Due, keys: Sequence[str]) -> dict[str, str]:
    """The tracker's own ids of the issues linked under `keys` through the job's connection,
    by key (a link made before ids were kept has none)."""
    async with job_work(svc, due) as (store, connection, _):
        if connection is None:
            return {}
        links = await store.links_by_keys(connection.team_id, list(keys))
        return {
            key: link.issue_id
            for key, link in links.items()
            if link.issue_id and link.connection_id == connection.id
        }


async def drop_gone_blockers(store: Store, connection: TrackerConnection, now: datetime) -> None:
    """The dependencies the tracker's links to issues gone from the board gave the team's
    items, dropped, each item's history saying why (``rules.gone_blockers``): the tracker
    dropped a deleted issue's links, and one off the board is nothing the sync can follow to
    done, so either would block its item for good. Run when the sync unlinks an issue, and
    hourly for those unlinked before."""
    team = await store.team_by_id(connection.team_id)
    gone = rules.gone_blockers(await store.gone_links(connection.team_id), connection.kind)
    if team is not None and gone:
        await store.drop_blockers(team, gone, rules.actor(connection.kind), now)


async def _chain(
    store: Store, connection: TrackerConnection, now: datetime, *, adopt: bool = False
) -> None:
    """The connection's next regular sync (every few minutes) and its next look at the
    board's order and deletions (hourly), one pending of each at a time. `adopt`: the
    import is done, and that look also imports what it missed (``_adopt``)."""
    every = f"{KIND_SYNC}:{tag(connection)}:every:"
    if not await store.pending_jobs(every):
        when = now + rules.SYNC_EVERY
        await store.schedule_once(
            KIND_SYNC, f"{every}{when:%Y%m%dT%H%M%S}", when, {**job_ids(connection), "chain": True}
        )
    keys = f"{KIND_SYNC}:{tag(connection)}:keys:"
    when = now + rules.RECONCILE_EVERY
    if not await store.pending_jobs(keys):
        payload = {**job_ids(connection), "keys": True, "chain_keys": True}
        await store.schedule_once(
            KIND_SYNC,
            f"{keys}{when:%Y%m%dT%H%M%S}",
            when,
            {**payload, "adopt": True} if adopt else payload,
        )
    elif adopt:  # the look already waiting was chained before the import: one of its own
        await store.schedule_once(
            KIND_SYNC,
            f"{KIND_SYNC}:{tag(connection)}:adopt:{when:%Y%m%dT%H%M%S}",
            when,
            {**job_ids(connection), "keys": True, "adopt": True},
        )
