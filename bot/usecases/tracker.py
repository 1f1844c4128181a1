"""A channel's backlog kept in step with a tracker board (Jira, GitHub, Linear), both ways.

Connecting, the connection's status, disconnecting and webhooks are in
bot.usecases.tracker_connect. What runs as due work, so that it survives restarts and several
instances share it (bot.runtime.scheduling):

- ``tracker_import``: the board's backlog in rank order, one page (100 issues) per row, each
  page applied in its own transaction; the next page is the next row.
- ``tracker_sync``: the issues changed since the watermark, paged; every few minutes per
  connection, and right after a webhook (one per distinct delivery, keyed by its digest: a
  replay adds nothing; the first to run absorbs the others waiting). Calls grow with what
  changed, not with the board.
  When a changed issue was reordered in the tracker (its rank token changed), when a webhook
  says so, and hourly, it also reads the board's keys in order (``backlog_keys``: one call per
  5,000 issues on Jira) to put the backlog in the board's order and to find linked issues that
  are gone: each is asked for (``issue``); deleted (NOT_FOUND) or off the board, its item is
  unlinked with a history line, and archived if it was on the backlog. A webhook naming a
  deleted issue has that one asked for at once.
- ``tracker_write``: one row per effect (an estimate, a reorder, a new item, a sprint's
  commitment, scope change or close), whose key names it. It reads the item as it is when it
  runs (so a late retry writes the latest value), makes the call, and records the result and
  finishes its own row in one transaction: a crash between the call and that record repeats
  the call, which is idempotent, or for a create looks first whether the tracker made it. A
  failure is retried with backoff (429: after Retry-After), never dropped: the item says
  "not yet in GitHub: retrying" (its tracker named) until it lands.

Other features' use cases call ``after_estimate``, ``after_edit``, ``after_reorder``,
``after_add``, ``after_done``, ``after_commit``, ``after_scope_change`` and ``after_close``
inside their own transaction: the write's row is stored with their change, or not at all. For a
team without a connection they do nothing (one indexed look-up).

The tracker client is made by an opener registered by the process (``register_opener``, see
bot/trackers/wiring.py); this module knows trackers through bot.domain.trackers only. Tokens
are decrypted only to open a client, and never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import secrets as random_secrets
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain import tracker_sync as rules
from bot.domain import tracker_webhooks, trackers
from bot.domain.backlog import ItemFields
from bot.runtime.scheduling import Due
from bot.runtime.secrets import (
    Secret,
    SecretBox,
    SecretDecryptError,
    SecretKeyError,
)
from bot.runtime.services import Services
from storage.models import (
    BacklogItem,
    Sprint,
    Team,
    TrackerConnection,
    TrackerLink,
    TrackerSprintLink,
)
from storage.repositories import Store

log = logging.getLogger(__name__)

KIND_IMPORT = "tracker_import"
KIND_SYNC = "tracker_sync"
KIND_WRITE = "tracker_write"
PUSH_DOWN = 1_000_000.0  # ranks added to items no issue backs, so the board's come first
WAIT_FOR_CREATE = timedelta(seconds=30)
ROLES = ("po", "sm")


# -- opening a tracker -------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardSpec:
    """What a tracker client is opened with, for any kind ("jira", "github", "linear").

    ``site``: the site or API address; ``board_id``: Jira's board, a GitHub project's number
    (0: a plain repository), else 0; ``email``: the account or scope the credential acts as
    (Jira's email, GitHub's ``owner/repo``, Linear's team key); ``token``: the secret (API
    token, GitHub token or App private key, Linear API key). ``options``: what a connect form
    gave beyond these (GitHub's estimate field name, App id); the client folds it into its
    ``snapshot()``, which is kept with the connection and comes back as ``snapshot``.
    """

    kind: str
    site: str
    board_id: int
    email: str
    token: Secret
    jql: str = ""
    acceptance_field: str | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


Opener = Callable[[BoardSpec], trackers.Tracker]
_OPENERS: dict[str, Opener] = {}


def register_opener(kind: str, opener: Opener) -> None:
    """How to open a tracker of `kind` ("jira"); the process registers it at start."""
    _OPENERS[kind] = opener


def _open(spec: BoardSpec) -> trackers.Tracker:
    opener = _OPENERS.get(spec.kind)
    if opener is None:
        raise trackers.TrackerError(
            f"This Timebox cannot talk to {rules.tracker_name(spec.kind)}.",
            kind=trackers.TrackerErrorKind.CONFIG,
        )
    return opener(spec)


def _spec_of(connection: TrackerConnection) -> BoardSpec:
    """The spec with the token decrypted; a missing or changed key is a CONFIG error in plain
    words (retried hourly: the operator fixes the key, the work goes on)."""
    try:
        return _spec(connection, SecretBox.from_env())
    except (SecretKeyError, SecretDecryptError) as error:
        raise trackers.TrackerError(str(error), kind=trackers.TrackerErrorKind.CONFIG) from None


def _spec(connection: TrackerConnection, box: SecretBox) -> BoardSpec:
    return BoardSpec(
        kind=connection.kind,
        site=connection.site,
        board_id=connection.board_id,
        email=connection.account,
        token=box.decrypt(connection.secret),
        jql=connection.jql,
        acceptance_field=connection.acceptance_field,
        snapshot=dict(connection.board or {}),
    )


_LOCKS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Lock]
] = weakref.WeakKeyDictionary()


def _lock(connection_id: int, what: str = "write") -> asyncio.Lock:
    """One write at a time per connection in this process (a sprint is created once); with
    `what`, one of something else (``absorb``: one webhook sync takes in the others)."""
    locks = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault((what, connection_id), asyncio.Lock())


# -- the hooks other features call inside their own transaction (an item or its number) --


async def after_estimate(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An accepted estimate: written to the board's estimation field."""
    await _write_item(store, team, item, "fields", now)


async def after_edit(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item's title or acceptance criteria edited in Slack: written to its issue."""
    await _write_item(store, team, item, "fields", now)


async def after_reorder(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """The Product Owner moved an item: its issue is re-ranked next to its new neighbour."""
    await _write_item(store, team, item, "rank", now)


async def after_done(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item done in Timebox: its issue moved to a Done status in the tracker."""
    await _write_item(store, team, item, "done", now)


async def after_add(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item added in Slack: created in the tracker (then ranked where it stands)."""
    connection = await store.connection(team.id)
    if connection is None:
        return
    item = await _item(store, team, item)
    link = await store.link_of_item(item.id)
    if link is None:
        link = await store.add_link(
            TrackerLink(
                team_id=team.id,
                item_id=item.id,
                connection_id=connection.id,
                key=None,
                base={},
                remote={"tracker": connection.kind},  # what the item names until it has a key
                pending=0,
            )
        )
    await _enqueue(store, connection, link, "create", f"i{item.id}", now, once=True)


async def after_commit(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """A committed sprint: created in the tracker with its goal and dates, its issues in."""
    await _write_sprint(store, team, sprint, now)


async def after_scope_change(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """Items added to or removed from the running sprint: moved in or out in the tracker."""
    await _write_sprint(store, team, sprint, now)


async def after_close(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """The sprint closed: closed in the tracker (its unfinished issues back to the backlog)."""
    await _write_sprint(store, team, sprint, now)


async def after_webhook(
    store: Store, connection: TrackerConnection, body: bytes, now: datetime
) -> None:
    """A signed webhook call: a sync at once, keyed by the delivery (its body's digest), so
    every distinct delivery gets one, however close together, and an identical replay of a
    delivery adds nothing (its key is taken, pending or done). One naming a deleted issue has
    that issue asked for (only NOT_FOUND unlinks it), one naming a rank change reads the
    board's order (tracker_webhooks.hint); the body is never applied as data. Deliveries that
    arrive while one's sync waits are absorbed by the first of them to run (``_absorb``)."""
    hint = tracker_webhooks.hint(connection.kind, body)
    delivery = hashlib.sha256(body).hexdigest()[:32]
    await store.schedule_once(
        KIND_SYNC, f"{_hooks(connection)}{delivery}", now, {**_ids(connection), **hint}
    )


def _hooks(connection: TrackerConnection) -> str:
    """The prefix of a connection's webhook syncs."""
    return f"{KIND_SYNC}:{tag(connection)}:hook:"


async def _item(store: Store, team: Team, item: BacklogItem | int) -> BacklogItem:
    """The item itself, or the team's item of that number."""
    return item if isinstance(item, BacklogItem) else await store.get_item(team, item)


async def _write_item(
    store: Store, team: Team, item: BacklogItem | int, effect: str, now: datetime
) -> None:
    connection = await store.connection(team.id)
    if connection is None:
        return
    item = await _item(store, team, item)
    link = await store.link_of_item(item.id)
    if link is None or link.connection_id != connection.id:
        return  # an item only Timebox has
    await _enqueue(store, connection, link, effect, f"i{item.id}", now)


async def _write_sprint(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    connection = await store.connection(team.id)
    if connection is not None:
        await _enqueue(store, connection, None, "sprint", f"s{sprint.id}", now)


async def _enqueue(
    store: Store,
    connection: TrackerConnection,
    link: TrackerLink | None,
    effect: str,
    subject: str,
    now: datetime,
    *,
    once: bool = False,
) -> None:
    """One row per effect: `tracker_write:<connection>:<subject>:<effect>:<id>`."""
    suffix = "once" if once else random_secrets.token_hex(6)
    key = f"{KIND_WRITE}:{tag(connection)}:{subject}:{effect}:{suffix}"
    payload = {
        **_ids(connection),
        "effect": effect,
        "subject": subject,
        "since": now.isoformat(),
        "attempt": 1,
    }
    if await store.schedule_once(KIND_WRITE, key, now, payload) and link is not None:
        await store.change_pending(link.id, 1)


# -- applying issues (the import and the sync) -------------------------------------------------


@dataclass
class Applied:
    added: int = 0
    changed: int = 0
    conflicts: int = 0
    reranked: bool = False  # an issue was reordered in the tracker: read the board's order


async def apply_issues(
    store: Store,
    connection: TrackerConnection,
    issues: Sequence[trackers.TrackerIssue],
    now: datetime,
    *,
    first_position: int | None = None,
) -> Applied:
    """Applies tracker issues to the team's backlog: new ones become items, linked ones are
    merged field by field (rules.merge). `first_position`: an import page's place in the
    board's order, which the items take."""
    await store.lock_connection(connection.id)
    team = await store.team_by_id(connection.team_id)
    assert team is not None
    applied = Applied()
    who, where = rules.actor(connection.kind), rules.tracker_name(connection.kind)
    links = await store.links_by_keys(team.id, [i.key for i in issues])
    renamed = await _renamed(store, team, issues, links)
    items = await store.items_by_ids(team.id, [link.item_id for link in links.values()])
    for key, old in renamed.items():
        if links[key].item_id in items:
            note = f"{old} is now {key} in {where} (moved to another project)"
            store.log(items[links[key].item_id], who, "relinked", now, note=note)
    blockers = sorted({k for i in issues for k in i.blocked_by})
    done = await store.done_keys(team.id, blockers)
    done |= {i.key for i in issues if i.status_category.value == "done"}
    importing = first_position is not None
    new: list[tuple[int, trackers.TrackerIssue]] = []
    for offset, issue in enumerate(issues):
        rank = float(first_position + offset) if first_position is not None else None
        link = links.get(issue.key)
        item = items.get(link.item_id) if link is not None else None
        if link is None or item is None:
            if rules.is_new(issue, importing=importing):
                new.append((offset, issue))
            continue
        verdict = rules.classify(issue, link, connection.id, importing=importing)
        applied.reranked |= verdict.reranked
        if verdict.action == rules.SEEN:
            if rank is not None:
                item.rank = rank
            _follow_hypothesis(store, connection, link, item, issue, now)
            continue
        if verdict.action == rules.RELINK and rules.relink(link, item, connection.id, now):
            note = f"{issue.key} is on the board in {where} again"
            store.log(item, who, "restored", now, note=note)
            applied.reranked = True
        merged = await _merge_one(store, connection, link, item, issue, done, now)
        applied.changed += int(merged.changed)
        applied.conflicts += merged.conflicts
        if rank is not None:
            item.rank = rank
    if new:
        new = await _adopt_created(store, connection, team, new, now)
    if new:
        applied.added = await _add_new(store, connection, team, new, done, now, first_position)
    return applied


async def _renamed(
    store: Store, team: Team, issues: Sequence[trackers.TrackerIssue], links: dict[str, TrackerLink]
) -> dict[str, str]:
    """Issues whose key is not linked but whose id is: moved to another project in the
    tracker (a new key). Their links take the new key (added to `links`); new key -> old."""
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


def _follow_hypothesis(
    store: Store,
    connection: TrackerConnection,
    link: TrackerLink,
    item: BacklogItem,
    issue: trackers.TrackerIssue,
    now: datetime,
) -> None:
    """An issue seen again unchanged (a later page, a link made before hypotheses were read):
    the item's hypothesis follows the one the description states while nobody wrote one in
    Timebox (rules.hypothesis_after), logged as the tracker's edit."""
    remote = dict(link.remote or {})
    found = rules.hypothesis_after(item.hypothesis or "", remote, issue)
    taken = rules.facts(issue, connection.kind)["hypothesis"]
    if remote.get("hypothesis") != taken:
        link.remote = {**remote, "hypothesis": taken}
    if found is not None:
        change = [item.hypothesis, found]
        item.hypothesis, item.updated_at = found, now
        store.log(item, rules.actor(connection.kind), "edited", now, hypothesis=change)


async def _adopt_created(
    store: Store,
    connection: TrackerConnection,
    team: Team,
    new: list[tuple[int, trackers.TrackerIssue]],
    now: datetime,
) -> list[tuple[int, trackers.TrackerIssue]]:
    """An issue Timebox created whose answer is not recorded yet (its write still running,
    or cut off) comes back through the sync: it is the item waiting for it (same title), not
    a new one. The rest is new."""
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
        link.base, link.remote = rules.owned_values(issue), rules.facts(issue, connection.kind)
        link.remote_updated, link.synced_at = issue.updated, now
        await _enqueue(store, connection, link, "rank", f"i{link.item_id}", now)
    return rest


async def _add_new(
    store: Store,
    connection: TrackerConnection,
    team: Team,
    new: list[tuple[int, trackers.TrackerIssue]],
    done: set[str],
    now: datetime,
    first_position: int | None,
) -> int:
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
            dependencies=rules.dependencies_with([], v["blocked_by"], done),
        )
        for v, remote in zip(values, remotes, strict=True)
    ]
    imported = f"imported from {rules.tracker_name(connection.kind)}"
    items = await store.add_items(team, fields, rules.actor(connection.kind), now, action=imported)
    links = []
    for (offset, issue), item, owned, remote in zip(new, items, values, remotes, strict=True):
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
                base=owned,
                remote=remote,
                pending=0,
                synced_at=now,
            )
        )
    await store.add_links(links)
    return len(items)


async def _merge_one(
    store: Store,
    connection: TrackerConnection,
    link: TrackerLink,
    item: BacklogItem,
    issue: trackers.TrackerIssue,
    done: set[str],
    now: datetime,
) -> rules.MergeApplied:
    """Merges one issue into its item (rules.apply_merge); a win of Timebox's is written back."""
    events = await store.events_since(item.id, rules.merge_since(link))
    merged = rules.apply_merge(item, link, issue, events, done, now, connection.kind)
    for line in merged.lines:
        store.log(item, rules.actor(connection.kind), line.action, now, **line.changes)
    if merged.write:
        await _enqueue(store, connection, link, "fields", f"i{item.id}", now)
    return merged


# -- due work: import, sync, write -------------------------------------------------------------


def _never_dropped(run: Callable[[Services, Due], Awaitable[str]]) -> Callable[..., Any]:
    """A job that fails for a reason of Timebox's own (a database hiccup, a bug) is retried
    like a tracker failure, with backoff, instead of being given up after a few tries."""

    @functools.wraps(run)
    async def guarded(svc: Services, due: Due) -> str:
        try:
            return await run(svc, due)
        except trackers.TrackerError as error:
            return await _failed(svc, due, None, error)
        except Exception as error:
            log.exception("tracker job %s failed", due.key)
            failure = trackers.TrackerError(
                f"Timebox had a problem of its own ({type(error).__name__}); it tries again.",
                kind=trackers.TrackerErrorKind.UNAVAILABLE,
            )
            return await _failed(svc, due, None, failure)

    return guarded


@_never_dropped
async def run_import(svc: Services, due: Due) -> str:
    """One page of the board's backlog, applied in the board's order; then the next page."""
    page_number = int(due.payload.get("page", 0))
    opened = await _open_for(svc, due)
    if isinstance(opened, str):
        return opened
    tracker, _ = opened
    try:
        async with contextlib.aclosing(tracker):
            page = await tracker.backlog_page(due.payload.get("cursor"))
    except trackers.TrackerError as error:
        return await _failed(svc, due, None, error)
    async with _connected(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        position = int(due.payload.get("position", 1))
        applied = await apply_issues(store, connection, page.issues, now, first_position=position)
        connection.imported += len(page.issues)
        connection.last_error = None
        if page.cursor is not None:
            await store.schedule_once(
                KIND_IMPORT,
                f"{KIND_IMPORT}:{tag(connection)}:{page_number + 1}",
                now,
                {
                    **_ids(connection),
                    "cursor": page.cursor,
                    "page": page_number + 1,
                    "position": position + len(page.issues),
                },
            )
        else:
            connection.status = "connected"
            connection.last_sync_at = now
            await _chain(store, connection, now)
        await store.finish_key(due.key, now, f"imported {len(page.issues)}")
    return f"page {page_number}: {len(page.issues)} issues, {applied.added} new"


@dataclass
class _Walked:
    """What one sync did, for its outcome."""

    changed: int = 0
    reranked: bool = False
    moved: int = 0
    unlinked: int = 0

    def outcome(self) -> str:
        words = f"{self.changed} changed"
        if self.moved:
            words += f", {self.moved} moved to the board's order"
        if self.unlinked:
            words += f", {self.unlinked} unlinked"
        return words


@_never_dropped
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
    return await _sync(svc, due)


async def _absorb(svc: Services, due: Due) -> Due | None:
    """A webhook's sync, as it starts, finishes the connection's other webhook syncs still
    waiting and joins their hints (issues to ask for, the board's order) to its own: their
    deliveries came before its walk of changes, which therefore covers them. None when this
    one was absorbed meanwhile by another. (One per connection at a time in this process; one
    running on another instance meanwhile just runs on: twice is harmless, never too few.)"""
    async with _lock(int(due.payload["connection"]), "absorb"), svc.db.transaction() as store:
        now = svc.clock.now()
        connection = await _connection(store, due.payload)
        if connection is None:
            return due  # the sync finds it gone, and says so
        waiting = await store.pending_jobs(_hooks(connection))
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


@_never_dropped
async def _sync(svc: Services, due: Due) -> str:
    opened = await _open_for(svc, due)
    if isinstance(opened, str):
        return opened
    tracker, since = opened
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
    except trackers.TrackerError as error:
        if walked.reranked:  # the changes are applied: the order must still come
            due = replace(due, payload={**due.payload, "keys": True})
        return await _failed(svc, due, None, error)
    async with _connected(svc, due) as (store, connection, now):
        if connection is None:
            return "skipped: not connected"
        await store.finish_key(due.key, now, walked.outcome())
        if due.payload.get("chain") or due.payload.get("chain_keys"):
            await _chain(store, connection, now)
    return walked.outcome()


async def _walk_changes(
    svc: Services, due: Due, tracker: trackers.Tracker, since: datetime, walked: _Walked
) -> bool:
    """Applies the changed issues page by page; False if the connection is gone."""
    cursor: str | None = None
    while True:
        page = await tracker.changes_page(since, cursor)
        async with _connected(svc, due) as (store, connection, now):
            if connection is None:
                return False
            applied = await apply_issues(store, connection, page.issues, now)
            walked.reranked |= applied.reranked
            if page.watermark is not None and (
                connection.watermark is None or page.watermark > connection.watermark
            ):
                connection.watermark = page.watermark
            connection.last_sync_at = now
            connection.last_error = None
            if connection.status == "error":
                connection.status = "connected"
        walked.changed += len(page.issues)
        if page.cursor is None:
            return True
        cursor = page.cursor


async def _follow_board(
    svc: Services, due: Due, tracker: trackers.Tracker, walked: _Walked
) -> None:
    """The board's keys in order (one call per 5,000 issues on Jira): the backlog's linked
    items follow that order (rules.follow_board: the fewest moves, each in the history; an
    item whose move in Timebox is not in the tracker yet stays), and linked open items whose
    key is not on the board any more are asked for one by one (up to rules.PROBES a run)."""
    keys = await tracker.backlog_keys()
    asked_at = svc.clock.now()
    async with svc.db.transaction() as store:
        connection = await _connection(store, due.payload)
        if connection is None:
            return
        order = await store.backlog_ranks(connection.team_id, connection.id)
        moves, ranks = rules.follow_board(order, keys, await _pinned(store, connection))
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
        if len(missing) > rules.PROBES:  # the rest in a minute, not in an hour
            when = asked_at + timedelta(minutes=1)
            await store.schedule_once(
                KIND_SYNC,
                f"{KIND_SYNC}:{tag(connection)}:more:{when:%Y%m%dT%H%M%S}",
                when,
                {**_ids(connection), "keys": True},
            )
    if missing:
        await _probe(svc, due, tracker, missing[: rules.PROBES], (on_board, asked_at), walked)


async def _linked_keys(svc: Services, due: Due, keys: list[str]) -> list[str]:
    """Which of `keys` (a webhook's) name items linked through this connection: only those
    are worth asking the tracker about."""
    if not keys:
        return []
    async with svc.db.transaction() as store:
        connection = await _connection(store, due.payload)
        if connection is None:
            return []
        links = await store.links_by_keys(connection.team_id, keys)
        return [k for k in keys if k in links and links[k].connection_id == connection.id]


async def _pinned(store: Store, connection: TrackerConnection) -> set[int]:
    """Items whose move (or creation) in Timebox is not in the tracker yet: they keep their
    place when the board's order is laid over the backlog."""
    pinned = set()
    for job in await store.pending_jobs(f"{KIND_WRITE}:{tag(connection)}:i"):
        parts = job.key.split(":")
        if len(parts) > 3 and parts[3] in ("rank", "create") and parts[2][1:].isdigit():
            pinned.add(int(parts[2][1:]))
    return pinned


async def _probe(
    svc: Services,
    due: Due,
    tracker: trackers.Tracker,
    keys: Sequence[str],
    board: tuple[set[str], datetime] | None,
    walked: _Walked,
) -> None:
    """Asks for linked issues one by one. NOT_FOUND: deleted (or hidden from the account).
    Found done, or on the board after all: applied as a change. Found off the board
    (`board`: the keys just read, and when): moved away, unless it changed just now (judged
    next time). A webhook's named key (`board` None) is only checked for deletion."""
    found: dict[str, trackers.TrackerIssue | None] = {}
    for key in keys:
        try:
            found[key] = await tracker.issue(key)
        except trackers.TrackerError as error:
            if error.kind is not trackers.TrackerErrorKind.NOT_FOUND:
                raise
            found[key] = None
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        connection = await _connection(store, due.payload)
        if connection is None:
            return
        links = await store.links_by_keys(connection.team_id, list(found))
        items = await store.items_by_ids(connection.team_id, [x.item_id for x in links.values()])
        changed = []
        for key, issue in found.items():
            link = links.get(key)
            if link is None or link.connection_id != connection.id:
                continue
            verdict = rules.probe_verdict(issue, board)
            if verdict == rules.APPLY and issue is not None:
                changed.append(issue)
            elif verdict is not None:
                _unlink(store, connection, link, items.get(link.item_id), verdict, now)
                walked.unlinked += 1
        if changed:
            await apply_issues(store, connection, changed, now)


def _unlink(
    store: Store,
    connection: TrackerConnection,
    link: TrackerLink,
    item: BacklogItem | None,
    reason: str,
    now: datetime,
) -> None:
    """An issue gone from the board (rules.unlink), and the item's history line saying so
    (`/backlog restore` brings an archived one back with everything Timebox had)."""
    key = link.key or ""
    archived = rules.unlink(link, item, reason, now)
    if item is None:
        return
    note = rules.gone_note(reason, key, now, item.number, archived, connection.kind)
    store.log(item, rules.actor(connection.kind), "unlinked", now, key=key, note=note)


async def _chain(store: Store, connection: TrackerConnection, now: datetime) -> None:
    """The connection's next regular sync (every few minutes) and its next look at the
    board's order and deletions (hourly), one pending of each at a time."""
    every = f"{KIND_SYNC}:{tag(connection)}:every:"
    if not await store.pending_jobs(every):
        when = now + rules.SYNC_EVERY
        await store.schedule_once(
            KIND_SYNC, f"{every}{when:%Y%m%dT%H%M%S}", when, {**_ids(connection), "chain": True}
        )
    keys = f"{KIND_SYNC}:{tag(connection)}:keys:"
    if not await store.pending_jobs(keys):
        when = now + rules.RECONCILE_EVERY
        await store.schedule_once(
            KIND_SYNC,
            f"{keys}{when:%Y%m%dT%H%M%S}",
            when,
            {**_ids(connection), "keys": True, "chain_keys": True},
        )


def tag(connection: TrackerConnection) -> str:
    """What names a connection in its work's keys: its id, and a mark of this connection
    (an id can come again after a disconnect; the old work must not act on the new one)."""
    mark = hashlib.sha256(connection.webhook_token.encode()).hexdigest()[:8]
    return f"{connection.id}.{mark}"


def _ids(connection: TrackerConnection) -> dict[str, Any]:
    return {"connection": connection.id, "tag": tag(connection)}


async def _connection(store: Store, payload: dict[str, Any]) -> TrackerConnection | None:
    """The connection a job is for, if it is still that one."""
    connection = await store.connection_by_id(int(payload["connection"]))
    if connection is None or tag(connection) != payload.get("tag"):
        return None
    return connection


@contextlib.asynccontextmanager
async def _connected(
    svc: Services, due: Due
) -> AsyncIterator[tuple[Store, TrackerConnection | None, datetime]]:
    """A transaction, the job's connection in it (None once it is gone) and the time now."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        yield store, await _connection(store, due.payload), now


async def _open_for(svc: Services, due: Due) -> tuple[trackers.Tracker, datetime] | str:
    """A client of the job's connection and its watermark; else the job's outcome: skipped
    when the connection is gone, or the failure to open it recorded for a retry."""
    try:
        opened = await _opened(svc, due.payload)
        if opened is None:
            return "skipped: not connected"
        spec, since = opened
        return _open(spec), since
    except trackers.TrackerError as error:
        return await _failed(svc, due, None, error)


async def _opened(svc: Services, payload: dict[str, Any]) -> tuple[BoardSpec, datetime] | None:
    """The connection's spec (token decrypted) and its watermark, or None if it is gone."""
    async with svc.db.transaction() as store:
        connection = await _connection(store, payload)
        if connection is None:
            return None
        since = connection.watermark or (svc.clock.now() - rules.WATERMARK_MARGIN)
        return _spec_of(connection), since


async def _failed(
    svc: Services, due: Due, link_id: int | None, error: trackers.TrackerError
) -> str:
    """A tracker call failed: the same row runs again later (Retry-After, else backoff), and
    the item and the connection say why meanwhile. Never dropped."""
    attempt = int(due.payload.get("attempt", 1))
    delay = rules.retry_delay(attempt, retry_after=error.retry_after, retryable=error.retryable)
    now = svc.clock.now()
    payload = {**due.payload, "attempt": attempt + 1, "error": error.message}
    if error.maybe_applied or due.payload.get("effect") == "create":
        payload["look_first"] = True  # the tracker may have made it: look before making it again
    async with svc.db.transaction() as store:
        connection = await _connection(store, due.payload)
        if connection is None:
            return "skipped: not connected"
        connection.last_error = error.message
        if not error.retryable:
            connection.status = "error"
        if link_id is not None:
            await store.set_link_error(link_id, _short(error, connection.kind))
        await store.schedule(due.kind, due.key, now + timedelta(seconds=delay), payload)
    log.warning(
        "tracker %s %s failed (attempt %s, %s): trying again in %.0f s",
        due.kind,
        due.key,
        attempt,
        error.kind.value,
        delay,
    )
    return f"retrying in {delay:.0f} s: {error.kind.value}"


def _short(error: trackers.TrackerError, kind: str) -> str:
    """What an item says went wrong with its write (after "retrying"), naming its tracker."""
    if error.kind is trackers.TrackerErrorKind.RATE_LIMITED:
        return f"{rules.tracker_name(kind)} asked to wait"
    if error.kind in (trackers.TrackerErrorKind.UNAVAILABLE, trackers.TrackerErrorKind.TIMEOUT):
        return f"{rules.tracker_name(kind)} did not answer"
    return error.message[:200]


# -- writes ------------------------------------------------------------------------------------


@dataclass
class _Write:
    """One write as read from the database: what to send, and the rows to record it on."""

    spec: BoardSpec
    connection_id: int
    team_id: int
    link_id: int | None = None
    item_id: int | None = None
    key: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    anchor: tuple[str, str] | None = None
    new_issue: trackers.NewIssue | None = None
    sprint: dict[str, Any] = field(default_factory=dict)
    wait: bool = False  # a create this depends on is not done yet
    nothing: str | None = None  # nothing to send, and why


@_never_dropped
async def run_write(svc: Services, due: Due) -> str:
    """One effect on the tracker (see the module's docstring)."""
    connection_id = int(due.payload["connection"])
    async with _lock(connection_id):
        try:
            write = await _read_write(svc, due)
        except trackers.TrackerError as error:
            return await _failed(svc, due, None, error)
        if isinstance(write, str):
            return write
        now = svc.clock.now()
        if write.wait:
            async with svc.db.transaction() as store:
                await store.schedule(due.kind, due.key, now + WAIT_FOR_CREATE, dict(due.payload))
            return "waiting for the issue to be created"
        if write.nothing is not None:
            await _record(svc, due, write, {})
            return write.nothing
        tracker = _open(write.spec)
        try:
            outcome = await _send(tracker, due, write)
        except trackers.TrackerError as error:
            return await _failed(svc, due, write.link_id, error)
        finally:
            await tracker.aclose()
        await _record(svc, due, write, outcome)
        return f"{due.payload['effect']} written"


async def _read_write(svc: Services, due: Due) -> _Write | str:
    effect, subject = str(due.payload["effect"]), str(due.payload["subject"])
    async with svc.db.transaction() as store:
        connection = await _connection(store, due.payload)
        if connection is None:
            await store.finish_key(due.key, svc.clock.now(), "skipped: not connected")
            return "skipped: not connected"
        write = _Write(_spec_of(connection), connection.id, connection.team_id)
        if effect == "sprint":
            await _read_sprint(store, connection, int(subject[1:]), write)
            return write
        item = await store.item_by_id(connection.team_id, int(subject[1:]))
        link = await store.link_of_item(int(subject[1:]))
        if item is None or link is None or link.connection_id != connection.id:
            write.nothing = "skipped: the item is gone or not linked"
            return write
        write.link_id, write.item_id, write.key = link.id, item.id, link.key
        if link.key is None and effect != "create":
            pending_create = await store.pending_jobs(
                f"{KIND_WRITE}:{tag(connection)}:i{item.id}:create:"
            )
            if pending_create:
                write.wait = True
            else:
                write.nothing = "skipped: the item has no issue"
        elif effect == "rank":
            order = await store.backlog_keys(connection.team_id, connection.id)
            write.anchor = rules.rank_anchor(order, item.id)
            if write.anchor is None:
                write.nothing = "no linked neighbour to rank against"
        else:
            sends = rules.item_write(effect, item, link, connection.kind)
            write.new_issue, write.values = sends.new_issue, sends.values
            write.nothing = sends.nothing
        return write


async def _read_sprint(
    store: Store, connection: TrackerConnection, sprint_id: int, write: _Write
) -> None:
    sprint = await store.sprint_by_id(sprint_id)
    if sprint is None or sprint.team_id != connection.team_id:
        write.nothing = "skipped: the sprint is gone"
        return
    team = await store.team_by_id(connection.team_id)
    sprint_items = await store.sprint_items(sprint, include_removed=True)
    links = [await store.link_of_item(sprint_item.item_id) for sprint_item in sprint_items]
    keys = rules.sprint_keys(zip(sprint_items, links, strict=True), connection.id)
    write.wait = keys.waiting
    known = await store.sprint_link(sprint.id)
    start, end = rules.sprint_times(
        sprint.starts_on, sprint.ends_on, team.timezone if team else None
    )
    write.sprint = {
        "id": sprint.id,
        "name": rules.sprint_name(sprint.number),
        "goal": sprint.goal,
        "start": start,
        "end": end,
        "status": sprint.status,
        "remote_id": known.remote_id if known else None,
        "inside": keys.inside,
        "outside": keys.outside,
        "done": keys.done,
    }
    if sprint.status == "planning":
        write.nothing = "the sprint is not committed yet"


async def _send(tracker: trackers.Tracker, due: Due, write: _Write) -> dict[str, Any]:
    """The tracker calls of one write; what to record."""
    effect = str(due.payload["effect"])
    if effect == "fields":
        assert write.key is not None
        values = write.values
        await tracker.update_issue(
            write.key,
            trackers.IssueUpdate(
                summary=values.get("title", trackers.KEEP),
                estimate=values.get("estimate", trackers.KEEP),
                acceptance_criteria=(
                    tuple(values["acceptance_criteria"])
                    if "acceptance_criteria" in values
                    else trackers.KEEP
                ),
            ),
        )
        return {"base": values}
    if effect == "rank":
        assert write.key is not None and write.anchor is not None
        where, other = write.anchor
        if where == "after":
            await tracker.rank(write.key, after=other)
        else:
            await tracker.rank(write.key, before=other)
        return {}
    if effect == "create":
        assert write.new_issue is not None
        if due.payload.get("look_first") or due.attempts > 1:
            found = await _created_already(tracker, due, write.new_issue.summary)
            if found is not None:
                return {"issue": found}
        ref = await tracker.create_issue(write.new_issue)
        return {"issue": await tracker.issue(ref.key)}
    if effect == "done":
        assert write.key is not None
        await tracker.mark_done(write.key)
        return {}
    return await _send_sprint(tracker, write.sprint)


async def _created_already(
    tracker: trackers.Tracker, due: Due, summary: str
) -> trackers.TrackerIssue | None:
    """After a lost answer or a crash: the issue the tracker may have made already, by its
    summary among the issues created since the write was asked for."""
    since = datetime.fromisoformat(str(due.payload["since"])) - rules.WATERMARK_MARGIN
    cursor: str | None = None
    while True:
        page = await tracker.changes_page(since, cursor)
        for issue in page.issues:
            if issue.summary.strip() == summary.strip():
                return issue
        if page.cursor is None:
            return None
        cursor = page.cursor


async def _send_sprint(tracker: trackers.Tracker, sprint: dict[str, Any]) -> dict[str, Any]:
    """Makes the tracker's sprint look like Timebox's: there (made once: looked for by name
    first), with its issues, started or closed. Every step may be repeated."""
    remote_id = sprint["remote_id"]
    state = None
    if remote_id is None:
        existing = [s for s in await tracker.board_sprints() if s.name == sprint["name"]]
        if existing:
            remote_id, state = existing[0].id, existing[0].state
        else:
            made = await tracker.create_sprint(
                trackers.SprintSpec(sprint["name"], sprint["goal"], sprint["start"], sprint["end"])
            )
            remote_id, state = made.id, made.state
    steps = rules.sprint_steps(
        sprint["status"], state, sprint["inside"], sprint["outside"], sprint.get("done", [])
    )
    if steps.move_in:
        await tracker.move_to_sprint(remote_id, steps.move_in)
    if steps.move_out:
        await tracker.move_to_backlog(steps.move_out)
    if steps.start:
        try:
            state = (
                await tracker.start_sprint(remote_id, start=sprint["start"], end=sprint["end"])
            ).state
        except trackers.TrackerError as error:
            if error.kind is not trackers.TrackerErrorKind.INVALID:
                raise
            state = None  # started already (a repeat): closing below finds out
    for key in steps.mark_done:
        await tracker.mark_done(key)
    if steps.close:
        state = (await tracker.close_sprint(remote_id)).state
    return {
        "sprint": {"remote_id": remote_id, "state": (state or trackers.SprintState.ACTIVE).value}
    }


async def _record(svc: Services, due: Due, write: _Write, outcome: dict[str, Any]) -> None:
    """The write's result and the end of its row, in one transaction."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        if not await store.finish_key(due.key, now, "done"):
            return  # cancelled (disconnected) or done by another run meanwhile
        await store.lock_connection(int(due.payload["connection"]))
        link = await store.link_of_item(write.item_id) if write.item_id is not None else None
        if link is not None:
            if "base" in outcome:
                link.base = {**link.base, **outcome["base"]}
            if "issue" in outcome and link.key in (None, outcome["issue"].key):
                await _linked(store, link, outcome["issue"], now)
            link.synced_at = now
            await store.change_pending(link.id, -1)
        if "sprint" in outcome:
            known = await store.sprint_link(int(write.sprint["id"]))
            if known is None:
                await store.add_sprint_link(
                    TrackerSprintLink(
                        connection_id=write.connection_id,
                        sprint_id=int(write.sprint["id"]),
                        remote_id=str(outcome["sprint"]["remote_id"]),
                        state=outcome["sprint"]["state"],
                        synced_at=now,
                    )
                )
            else:
                known.state, known.synced_at = outcome["sprint"]["state"], now
        connection = await store.connection_by_id(write.connection_id)
        if connection is not None and connection.status == "error":
            connection.status, connection.last_error = "connected", None


async def _linked(
    store: Store, link: TrackerLink, issue: trackers.TrackerIssue, now: datetime
) -> None:
    """An item created in the tracker: its key, and a rank write to put it where it stands."""
    connection = await store.connection_by_id(link.connection_id or 0)
    kind = connection.kind if connection is not None else (link.remote or {}).get("tracker")
    link.key, link.issue_id, link.url = issue.key, issue.id, issue.url
    link.base = rules.owned_values(issue)
    link.remote = rules.facts(issue, str(kind or rules.JIRA))
    link.remote_updated = issue.updated
    if connection is not None:
        await _enqueue(store, connection, link, "rank", f"i{link.item_id}", now)
