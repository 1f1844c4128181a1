"""One tracker issue merged into the item linked to it, as the import and the sync apply it
(bot.usecases.tracker_apply's ``apply_issues``): matched again after a reconnection, merged
field by field (a win of Timebox's written back), a change of status of an item of the
running sprint carried out through the sprint, and a move into or out of the running
sprint's sprint in the tracker followed as a renegotiation told in the channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.domain import tracker_sprints, trackers
from bot.domain import tracker_sync as rules
from bot.domain.calendar import local_today, zone
from bot.domain.errors import UserError
from bot.domain.poker_items import off_backlog
from bot.domain.readiness import DefinitionOfReady, is_ready, readiness_change
from bot.domain.sprints import in_backlog
from bot.domain.tracker_field_merge import MergeApplied
from bot.usecases import poker, sprints
from bot.usecases.news import tell_channel
from bot.usecases.tracker import enqueue, tag, unlink_gone
from storage.models import BacklogItem, Team, TrackerConnection, TrackerLink
from storage.repositories import Store

log = logging.getLogger(__name__)


@dataclass
class Applied:
    added: int = 0
    changed: int = 0
    conflicts: int = 0
    reranked: bool = False  # an issue was reordered in the tracker: read the board's order
    held_back: dict[str, str] = field(default_factory=dict)  # key -> what failed applying it


@dataclass(frozen=True)
class Running:
    """The tracker's sprint (its id there) that Timebox's sprint write made for the running
    sprint, whose scope changes there the sync follows; `open_there`: it is known to be open
    in the tracker still (an issue leaving a closed one is no renegotiation); `name`: the
    running sprint's name as Timebox names it there (found by it under a new id)."""

    remote_id: str
    open_there: bool = False
    name: str = ""


@dataclass(frozen=True)
class Page:
    """What each issue of a page is applied with (``apply_linked`` and the steps it takes):
    the issues' blockers that are done, the running sprint's sprint in the tracker (None
    while importing), and the tally of what was applied."""

    store: Store
    connection: TrackerConnection
    team: Team
    done: set[str]
    now: datetime
    running: Running | None
    applied: Applied


async def apply_linked(
    page: Page,
    link: TrackerLink,
    item: BacklogItem,
    issue: trackers.TrackerIssue,
    rank: float | None,
) -> None:
    """One issue linked to an item applied to it (``apply_issues``; `rank`: its place when
    importing, None in a sync): seen again, matched again after a reconnection, or merged;
    a move into or out of the running sprint's sprint there followed. An issue turned into
    no backlog row there (an epic, a sub-task: rules.retyped) is not merged: its item leaves
    the backlog (``_retyped``)."""
    if (became := rules.retyped(issue)) is not None:
        await _retyped(page, link, item, became)
        return
    store, connection, now, applied = page.store, page.connection, page.now, page.applied
    who, where = rules.actor(connection.kind), rules.tracker_name(connection.kind)
    verdict = rules.classify(issue, link, connection.id, importing=rank is not None)
    applied.reranked |= verdict.reranked
    if verdict.action == rules.SEEN:
        if rank is not None:
            item.rank = rank
        _follow_hypothesis(page, link, item, issue)
        return
    relinked = verdict.action == rules.RELINK
    back = relinked and (link.remote or {}).get("board") == connection.board_key
    # matched on another board (a GitHub project, then its repository): its empty fields
    # may be its way of keeping them, no edit (rules.merge's `other_board`)
    elsewhere = relinked and rules.moved_board(link, connection.board_key)
    # where the sync last saw it, on this board (before a disconnect too): a move since is news
    seen_in = dict(link.remote or {}) if back or not relinked else None
    if relinked and rules.relink(link, item, connection.id, now):
        note = f"{issue.key} is on the board in {where} again"
        store.log(item, who, "restored", now, note=note)
        applied.reranked = True
    merged = await _merge_one(page, link, item, issue, relinked=relinked, other_board=elsewhere)
    applied.changed += int(merged.changed)
    applied.conflicts += merged.conflicts
    owed = rules.owed_on_return(item, issue) if back else None
    if owed is not None:
        await enqueue(store, connection, link, owed, f"i{item.id}", now)
    if rank is not None:
        item.rank = rank
    if page.running is not None and seen_in is not None:
        await _follow_sprint(page, page.running, item, issue, seen_in)


async def _retyped(page: Page, link: TrackerLink, item: BacklogItem, became: str) -> None:
    """A linked issue turned into an epic or a sub-task in the tracker (`became`:
    rules.retyped) is no backlog row, as if it had left the board: unlinked, the item
    archived if it was on the backlog (a sprint's or a done item stays), its history saying
    why (tracker.unlink_gone), its polls shown again. A link ended before (the issue gone,
    or moved) stays as it is; the issue turned back into a backlog row is matched again
    (rules.relink), its item back on the backlog."""
    remote = link.remote or {}
    if link.connection_id is None and (remote.get("gone") or remote.get("moved_to")):
        return
    store, team, now = page.store, page.team, page.now
    gone = unlink_gone(store, page.connection.kind, link, item, became, now, zone(team))
    if gone.archived:
        await poker.backlog_changed(store, team.id, [item.number], now)


async def _follow_sprint(
    page: Page,
    running: Running,
    item: BacklogItem,
    issue: trackers.TrackerIssue,
    seen: dict[str, Any],
) -> None:
    """An issue moved into or out of the tracker's sprint of the `running` sprint since the
    sync last saw it (`seen`: where): the running sprint takes it in, or lets it go, as a
    renegotiation whose reason names the tracker (tracker_sprints.scope_news). A link from
    before the sprint was kept says nothing."""
    if seen.get("sprint_id", issue.sprint_id) == issue.sprint_id:
        return  # not moved since last seen (or seen before sprints were kept): no news
    held = await sprints.held_in_running(page.store, page.team, item)
    news = tracker_sprints.scope_news(
        issue.sprint_id,
        seen.get("sprint_id"),
        running.remote_id,
        held=held is not None,
        finished=held is not None and held.done_at is not None,
        free=in_backlog(item),
        sprint_open=running.open_there,
    )
    if news is not None:
        await renegotiate(page.store, page.connection, page.team, item, issue.key, news, page.now)


async def renegotiate(
    store: Store,
    connection: TrackerConnection,
    team: Team,
    item: BacklogItem,
    key: str,
    news: str,
    now: datetime,
) -> None:
    """The running sprint's scope changed in the tracker, carried out as `/sprint add` or
    `remove` would, by the tracker (the team made it there: an unready item is taken in
    too, its risks stated), and told in the channel as a person's renegotiation is."""
    sprint = await sprints.require_active(store, team)
    reason = tracker_sprints.scope_reason(key, connection.kind, news, sprint.number)
    try:
        sprint, item, decided = await sprints.renegotiate(
            store, team, news, item.number, reason, rules.actor(connection.kind), now, agreed=True
        )
    except UserError as refused:  # the rules say no: the sync goes on, the log says why
        log.warning("team %s: %s not followed: %s", team.id, reason, refused.message)
        return
    await _tell_scope(
        store, connection, team, sprints.ScopeChanged.of(team, sprint, item, decided), now
    )


async def _tell_scope(
    store: Store,
    connection: TrackerConnection,
    team: Team,
    told: sprints.ScopeChanged,
    now: datetime,
) -> None:
    """A renegotiation the tracker made, told in the channel (through the outbox, once) as
    a person's is, naming the tracker."""
    said = f"tracker_scope:{tag(connection)}:s{told.sprint.id}:i{told.item.id}:{now.isoformat()}"
    await tell_channel(
        store, team, said, now, replace(told, tracker=rules.tracker_name(connection.kind))
    )


def _follow_hypothesis(
    page: Page, link: TrackerLink, item: BacklogItem, issue: trackers.TrackerIssue
) -> None:
    """An issue seen again unchanged (a later page, a link made before hypotheses were read):
    the item's hypothesis follows the one the description states while nobody wrote one in
    Timebox (rules.hypothesis_after), logged as the tracker's edit (with the change of
    readiness it makes, as any edit)."""
    store, connection, now = page.store, page.connection, page.now
    remote = dict(link.remote or {})
    found = rules.hypothesis_after(item.hypothesis or "", remote, issue)
    taken = rules.facts(issue, connection.kind)["hypothesis"]
    if remote.get("hypothesis") != taken:
        link.remote = {**remote, "hypothesis": taken}
    if found is not None:
        dor = DefinitionOfReady.of(page.team)
        was_ready, change = is_ready(item, dor), [item.hypothesis, found]
        item.hypothesis, item.updated_at = found, now
        store.log(item, rules.actor(connection.kind), "edited", now, hypothesis=change)
        if (readiness := readiness_change(was_ready, item, dor)) is not None:
            store.log(item, rules.actor(connection.kind), readiness, now)


async def _merge_one(
    page: Page,
    link: TrackerLink,
    item: BacklogItem,
    issue: trackers.TrackerIssue,
    *,
    relinked: bool = False,
    other_board: bool = False,
) -> MergeApplied:
    """Merges one issue into its item (rules.apply_merge); a win of Timebox's is written back.
    A change of status for an item of the running sprint goes through the sprint
    (``_in_sprint``). `relinked`: matched by its key after connecting again (`other_board`:
    on a board other than the one it was on)."""
    store, connection, team, now = page.store, page.connection, page.team, page.now
    events = await store.events_since(item.id, rules.merge_since(link, relinked=relinked))
    in_sprint = await _running_sprint_holds(store, team, item, link, issue)
    status, off = item.status, off_backlog(item)
    merged = rules.apply_merge(
        item,
        link,
        issue,
        events,
        page.done,
        now,
        connection.kind,
        in_sprint=in_sprint,
        relinked=relinked,
        other_board=other_board,
        zone=zone(team),
        dor=DefinitionOfReady.of(team),
    )
    who = rules.actor(connection.kind)
    for line in merged.lines:
        store.log(item, who, line.action, now, **line.changes)
    if item.status != status:  # done or open again there: the items it blocks follow it
        await store.settle_dependents(team, item, who, now)
    if merged.sprint_news is not None:
        running = await sprints.require_active(store, team)
        news = rules.sprint_news(merged.sprint_news, running, local_today(team, now))
        left = await _in_sprint(store, team, item, issue.key, news, connection.kind, now)
        if left is not None:  # closed as won't do, or done before the sprint began: told as
            await _tell_scope(store, connection, team, left, now)  # a move out of it is
    if off != off_backlog(item):  # done, archived or reopened there: its polls shown again
        await poker.backlog_changed(store, team.id, [item.number], now)
    if merged.write:
        await enqueue(store, connection, link, "fields", f"i{item.id}", now)
    return merged


async def _running_sprint_holds(
    store: Store, team: Team, item: BacklogItem, link: TrackerLink, issue: trackers.TrackerIssue
) -> bool:
    """The running sprint holds the item, finished in it when the issue was reopened, not yet
    when it was closed: its change of status is the sprint's to carry out (rules.status_news;
    asked only when there is one). Else the item's status alone changes."""
    news = rules.issue_news(item, link, issue)
    held = await sprints.held_in_running(store, team, item) if news is not None else None
    return held is not None and (held.done_at is not None) == (news == rules.REOPENED)


async def _in_sprint(
    store: Store, team: Team, item: BacklogItem, key: str, news: str, kind: str, now: datetime
) -> sprints.ScopeChanged | None:
    """The tracker's status news for an item of the running sprint, carried out as a person
    would in Slack, by the sync of a `kind` tracker: done there finishes it as `/sprint done`
    does (its points count at the close); reopened there, it is work to do again; closed
    there as not planned, it leaves the sprint as a scope change (its points out of the
    sprint, none in the velocity), which the channel is to hear (returned), and is archived
    (rules.drop). Done there before the sprint began (rules.DONE_EARLY), it leaves the sprint
    as a scope change too, told alike, and is done on the backlog as `/backlog done` does."""
    who = rules.actor(kind)
    if news == rules.DONE_EARLY:
        running = await sprints.require_active(store, team)
        reason = rules.done_early_reason(key, kind, running.number)
        sprint, item, decided = await sprints.renegotiate(
            store, team, "remove", item.number, reason, who, now
        )
        item = await store.mark_done(team, item.number, who, now)
        return sprints.ScopeChanged.of(team, sprint, item, decided)
    if news == rules.FINISHED:
        await sprints.finish_item(store, team, item.number, who, now)
    elif news == rules.REOPENED:
        await sprints.unfinish_item(store, team, item.number, who, now)
    elif news == rules.DROPPED:
        line = rules.drop(item, key, now, kind, zone(team))  # archived first: no rank goes there
        reason = rules.dropped_reason(key, kind)
        sprint, item, decided = await sprints.renegotiate(
            store, team, "remove", item.number, reason, who, now
        )
        store.log(item, who, line.action, now, **line.changes)
        return sprints.ScopeChanged.of(team, sprint, item, decided)
    return None
