"""What every job that brings the tracker's issues into a channel's backlog does: it reads
its tracker (``read_tracker``: opened for the job, closed after, a failure recorded for a
retry), asks whether the running sprint's sprint there is still open when an issue read left
it (``running_open_if_left``), and applies the issues read (``apply_issues``: new ones become
items, linked ones are merged one by one through bot.usecases.tracker_merge).

Its jobs: the import and the sync (bot.usecases.tracker_pull), and the issues read again by
key (bot.usecases.tracker_reread).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from bot.domain import tracker_sprints, trackers
from bot.domain import tracker_sync as rules
from bot.domain.backlog import ItemFields
from bot.domain.tracker_sprints import JOINED
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import sprints
from bot.usecases.tracker import (
    BoardSpec,
    blockers_done,
    enqueue,
    job_connection,
    job_failed,
    job_work,
    open_tracker,
    spec_of,
)
from bot.usecases.tracker_merge import Applied, Page, Running, apply_linked, renegotiate
from bot.usecases.tracker_watch import still_open
from storage.models import BacklogItem, Team, TrackerConnection, TrackerLink
from storage.repositories import Store

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# -- reading the tracker -----------------------------------------------------------------------


async def read_tracker(
    svc: Services, due: Due, read: Callable[[trackers.Tracker], Awaitable[_T]]
) -> _T | str:
    """What `read` reads of the job's tracker, opened for it (``open_for``) and closed after;
    else the job's outcome (a str, which no read returns): skipped when the connection is
    gone, or the failure to open the tracker or to read recorded for a retry
    (``job_failed``, with the credential it called with)."""
    opened = await open_for(svc, due)
    if isinstance(opened, str):
        return opened
    tracker, _, used = opened
    try:
        async with contextlib.aclosing(tracker):
            return await read(tracker)
    except trackers.TrackerError as error:
        return await job_failed(svc, due, None, error, used)


async def open_for(svc: Services, due: Due) -> tuple[trackers.Tracker, datetime, str] | str:
    """A client of the job's connection, its watermark and the mark of the credential it
    calls with (``job_failed``'s `used`); else the job's outcome: skipped when the connection
    is gone, or the failure to open it recorded for a retry."""
    try:
        opened = await _opened(svc, due.payload)
        if opened is None:
            return "skipped: not connected"
        spec, since = opened
        return open_tracker(spec), since, spec.credential
    except trackers.TrackerError as error:
        return await job_failed(svc, due, None, error)


async def _opened(svc: Services, payload: dict[str, Any]) -> tuple[BoardSpec, datetime] | None:
    """The connection's spec (token decrypted) and its watermark, or None if it is gone."""
    async with svc.db.transaction() as store:
        connection = await job_connection(store, payload)
        if connection is None:
            return None
        since = connection.watermark or (svc.clock.now() - rules.WATERMARK_MARGIN)
        return spec_of(connection), since


async def running_open_if_left(
    svc: Services, due: Due, tracker: trackers.Tracker, issues: Sequence[trackers.TrackerIssue]
) -> bool | None:
    """Whether the tracker's sprint of the running sprint is still open there, asked only
    when one of `issues` left it since the sync last saw it (``left_running``); None when
    none did."""
    async with job_work(svc, due) as (store, connection, _):
        left = await left_running(store, connection, issues) if connection else None
    return None if left is None else await still_open(svc, due, tracker, left)


async def left_running(
    store: Store, connection: TrackerConnection, issues: Sequence[trackers.TrackerIssue]
) -> Running | None:
    """The running sprint's sprint in the tracker, when one of `issues` left it since the
    sync last saw it; None when none did (the next page may)."""
    team = await store.team_by_id(connection.team_id)
    running = await _running_there(store, team, connection, False) if team else None
    if team is None or running is None:
        return None
    links = await store.links_by_keys(team.id, [issue.key for issue in issues])
    left = any(
        (links[i.key].remote or {}).get("sprint_id") == running.remote_id
        and i.sprint_id != running.remote_id
        for i in issues
        if i.key in links
    )
    return running if left else None


# -- applying issues ---------------------------------------------------------------------------


async def apply_issues(
    store: Store,
    connection: TrackerConnection,
    issues: Sequence[trackers.TrackerIssue],
    now: datetime,
    *,
    first_position: int | None = None,
    running_open: bool = False,
) -> Applied:
    """Applies tracker issues to the team's backlog: new ones become items, linked ones are
    merged field by field (rules.merge). `first_position`: an import page's place in the
    board's order, which the items take. Outside the import, an issue moved into or out of
    the tracker's sprint of the running sprint changes its scope (``tracker_merge``; out of
    it only while it is `running_open`), and a new one made in it joins it; importing after
    connecting again, a move of an issue matched again since the disconnect too. An issue whose
    change fails to apply is undone alone and held back (``Applied.held_back``): the others
    are applied all the same."""
    await store.lock_connection(connection.id)
    team = await store.team_by_id(connection.team_id)
    assert team is not None
    applied = Applied()
    importing = first_position is not None
    # importing, a sprint is linked only on connecting again (``relink_sprints``): found open
    running = await _running_there(store, team, connection, running_open or importing)
    joining = None if importing else running
    who, where = rules.actor(connection.kind), rules.tracker_name(connection.kind)
    home = rules.home_word(connection.kind)
    links = await store.links_by_keys(team.id, [i.key for i in issues])
    renamed = await _renamed(store, team, issues, links)
    items = await store.items_by_ids(team.id, [link.item_id for link in links.values()])
    for key, old in renamed.items():
        if links[key].item_id in items:
            note = f"{old} is now {key} in {where} (moved to another {home})"
            store.log(items[links[key].item_id], who, "relinked", now, note=note)
    done = await blockers_done(store, team.id, sorted({k for i in issues for k in i.blocked_by}))
    done |= {i.key for i in issues if i.status_category.value == "done"}
    on_page = Page(store, connection, team, done, now, running, applied)
    new: list[tuple[int, trackers.TrackerIssue]] = []
    for offset, issue in enumerate(issues):
        rank = float(first_position + offset) if first_position is not None else None
        link = links.get(issue.key)
        item = items.get(link.item_id) if link is not None else None
        if link is None or item is None:
            if rules.is_new(issue, importing=importing, kind=connection.kind) or (
                joining and tracker_sprints.joins_running(issue, joining.remote_id)
            ):
                new.append((offset, issue))
            continue
        try:
            async with store.issue_attempt():
                await apply_linked(on_page, link, item, issue, rank)
        except Exception as error:  # one issue's trouble never holds back the others' changes
            log.exception("team %s: the change of %s not applied", team.id, issue.key)
            applied.held_back[issue.key] = type(error).__name__
    if new:
        new = await _adopt_created(on_page, new)
    if new:
        added = await _add_new(on_page, new, first_position)
        applied.added = len(added)
        for item, issue in added if joining is not None else ():
            if issue.sprint_id == joining.remote_id:
                await renegotiate(store, connection, team, item, issue.key, JOINED, now)
    return applied


async def _running_there(
    store: Store, team: Team, connection: TrackerConnection, open_there: bool
) -> Running | None:
    """The running sprint, if Timebox's sprint write made its sprint in this tracker."""
    sprint = await sprints.active(store, team)
    known = await store.sprint_link(sprint.id) if sprint is not None else None
    if sprint is None or known is None or known.connection_id != connection.id:
        return None
    return Running(known.remote_id, open_there, tracker_sprints.sprint_name(sprint.number))


async def _renamed(
    store: Store, team: Team, issues: Sequence[trackers.TrackerIssue], links: dict[str, TrackerLink]
) -> dict[str, str]:
    """Issues whose key is not linked but whose id is: moved to another project (a Linear
    team) in the tracker (a new key). Their links take the new key (added to `links`); new
    key -> old."""
    unmatched = [i for i in issues if i.key not in links and i.id]
    if not unmatched:
        return {}
    by_id = await store.links_by_issue_ids(team.id, [i.id for i in unmatched])
    renamed = {}
    for issue in unmatched:
        link = by_id.get(issue.id)
        if link is None or link.key in (None, issue.key):
            continue
        renamed[issue.key] = link.key or ""
        link.key, link.url = issue.key, issue.url or link.url
        links[issue.key] = link
    return renamed


async def _adopt_created(
    page: Page, new: list[tuple[int, trackers.TrackerIssue]]
) -> list[tuple[int, trackers.TrackerIssue]]:
    """An issue Timebox created whose answer is not recorded yet (its write still running,
    or cut off) comes back through the sync: it is the item waiting for it (same title), not
    a new one. The rest is new."""
    store, connection, team, now = page.store, page.connection, page.team, page.now
    waiting = await store.unkeyed_links(team.id, connection.id)
    if not waiting:
        return new
    items = await store.items_by_ids(team.id, [link.item_id for link in waiting])
    by_title = {items[link.item_id].title: link for link in waiting if link.item_id in items}
    rest = []
    for offset, issue in new:
        link = by_title.pop(rules.owned_values(issue)["title"], None)
        if link is None:
            rest.append((offset, issue))
            continue
        link.key, link.issue_id, link.url = issue.key, issue.id, issue.url
        link.base, link.remote = rules.agreed_values(issue), rules.facts(issue, connection.kind)
        link.remote_updated, link.synced_at = issue.updated, now
        await enqueue(store, connection, link, "rank", f"i{link.item_id}", now)
    return rest


async def _add_new(
    page: Page, new: list[tuple[int, trackers.TrackerIssue]], first_position: int | None
) -> list[tuple[BacklogItem, trackers.TrackerIssue]]:
    """The issues no item is linked to, as new items (at `first_position` on, importing)
    with their links."""
    store, connection, team, now = page.store, page.connection, page.team, page.now
    values = [rules.owned_values(issue) for _, issue in new]
    remotes = [rules.facts(issue, connection.kind) for _, issue in new]
    fields = [
        ItemFields(
            title=v["title"],
            hypothesis=remote["hypothesis"],
            type=v["type"],
            acceptance_criteria=v["acceptance_criteria"],
            estimate=v["estimate"],
            epic=v["epic"],
            labels=v["labels"],
            dependencies=rules.dependencies_with([], v["blocked_by"], page.done),
        )
        for v, remote in zip(values, remotes, strict=True)
    ]
    imported = f"imported from {rules.tracker_name(connection.kind)}"
    items = await store.add_items(team, fields, rules.actor(connection.kind), now, action=imported)
    links = []
    for (offset, issue), item, remote in zip(new, items, remotes, strict=True):
        if first_position is not None:
            item.rank = float(first_position + offset)
        status = rules.status_after(item.status, issue.status_category.value, None)
        if status is not None:
            item.status = status
        links.append(
            TrackerLink(
                team_id=team.id,
                item_id=item.id,
                connection_id=connection.id,
                key=issue.key,
                issue_id=issue.id,
                url=issue.url,
                remote_updated=issue.updated,
                base=rules.agreed_values(issue),
                remote=remote,
                pending=0,
                synced_at=now,
            )
        )
    await store.add_links(links)
    return [(item, issue) for item, (_, issue) in zip(items, new, strict=True)]
